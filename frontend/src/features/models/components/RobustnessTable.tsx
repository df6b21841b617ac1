import type { Robustness } from '../lib/plain-words'
import { robustnessSentence } from '../lib/plain-words'

function auc(value: number | null): string {
  return value == null ? '–' : value.toFixed(3)
}

function delta(value: number | null): string {
  if (value == null) return ''
  const points = value * 100
  if (Math.abs(points) < 0.05) return ' (±0)'
  return ` (${points > 0 ? '+' : '−'}${Math.abs(points).toFixed(1)} pts)`
}

function share(value: number): string {
  return `${(value * 100).toFixed(1)} %`
}

const KIND_TITLES = { benign: 'Everyday changes', adversarial: 'Deliberate attacks (on the face crop)' }

/** How stable the model's verdicts are (issue 17): per change, ROC-AUC and the share of
 * verdicts that move, from the bundle's measured `metrics.robustness`. */
export function RobustnessTable({ robustness, name }: { robustness: Robustness; name: string }) {
  return (
    <section className="robustness" aria-labelledby={`robustness-${name}`} data-testid="robustness">
      <h3 id={`robustness-${name}`}>How stable its verdicts are</h3>
      <p className="robustness__lead">{robustnessSentence(robustness)}</p>
      <details className="robustness__details">
        <summary>The measurements</summary>
        <div className="robustness__scroll">
          <table className="robustness__table">
            <caption>
              ROC-AUC after each change (clean: {auc(robustness.cleanRocAuc)}) and the share of
              verdicts (REAL / UNCERTAIN / FAKE) it changes
              {robustness.split ? `; ${robustness.split}` : ''}.
            </caption>
            <thead>
              <tr>
                <th scope="col">Change</th>
                <th scope="col">Faces</th>
                <th scope="col">ROC-AUC</th>
                <th scope="col">Verdicts that move</th>
                <th scope="col">Real to fake or back</th>
              </tr>
            </thead>
            {(['benign', 'adversarial'] as const).map((kind) => {
              const rows = robustness.rows.filter((r) => r.kind === kind)
              if (rows.length === 0) return null
              return (
                <tbody key={kind}>
                  <tr className="robustness__group">
                    <th scope="rowgroup" colSpan={5}>
                      {KIND_TITLES[kind]}
                    </th>
                  </tr>
                  {rows.map((r) => (
                    <tr key={r.key} data-testid="robustness-row">
                      <th scope="row">{r.label}</th>
                      <td>{r.images}</td>
                      <td>
                        {auc(r.rocAuc)}
                        {delta(r.rocAucDelta)}
                      </td>
                      <td>{share(r.flips)}</td>
                      <td>{share(r.reversals)}</td>
                    </tr>
                  ))}
                </tbody>
              )
            })}
          </table>
        </div>
      </details>
    </section>
  )
}
