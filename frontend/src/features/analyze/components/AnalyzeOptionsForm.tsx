import type { AnalyzeOptions } from '../hooks/use-analyze-image'

interface AnalyzeOptionsFormProps {
  available: string[]
  /** the models a request runs when it names none (`/api/info` default_models) */
  defaults?: string[]
  value: AnalyzeOptions
  onChange: (value: AnalyzeOptions) => void
}

/** The options of an analysis, folded away: models, test-time augmentation, heatmaps, the
 * stability check, and scoring the whole image when no face is found. */
export function AnalyzeOptionsForm({
  available,
  defaults = available,
  value,
  onChange,
}: AnalyzeOptionsFormProps) {
  const chosen = value.models.length === 0 ? defaults : value.models
  const sameAsDefault = (names: string[]) =>
    names.length === defaults.length && names.every((n) => defaults.includes(n))
  const toggleModel = (name: string, on: boolean) => {
    const next = on ? [...chosen, name] : chosen.filter((m) => m !== name)
    if (next.length === 0) return // at least one model
    onChange({ ...value, models: sameAsDefault(next) ? [] : next })
  }
  return (
    <details className="options">
      <summary>Options</summary>
      <div className="options__body">
        {available.length > 1 && (
          <fieldset className="options__group">
            <legend>Models</legend>
            {available.map((name) => (
              <label key={name} className="check">
                <input
                  type="checkbox"
                  checked={chosen.includes(name)}
                  onChange={(e) => toggleModel(name, e.target.checked)}
                />
                {name}
                {!defaults.includes(name) && (
                  <span className="options__hint">
                    off by default: the ensemble gives it weight 0, so it cannot change the verdict
                  </span>
                )}
              </label>
            ))}
          </fieldset>
        )}
        <fieldset className="options__group">
          <legend>Analysis</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={value.explain}
              onChange={(e) => onChange({ ...value, explain: e.target.checked })}
            />
            Show where the models looked (Grad-CAM)
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={value.tta}
              onChange={(e) => onChange({ ...value, tta: e.target.checked })}
            />
            Test-time augmentation (3 views, slower)
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={value.stability}
              onChange={(e) => onChange({ ...value, stability: e.target.checked })}
            />
            Check the verdict holds if the photo is re-saved, resized or noisy (slower)
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={value.wholeImage}
              onChange={(e) => onChange({ ...value, wholeImage: e.target.checked })}
            />
            If no face is found, score the whole image (only for tight face crops)
          </label>
        </fieldset>
      </div>
    </details>
  )
}
