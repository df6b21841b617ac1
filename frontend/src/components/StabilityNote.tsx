import type { Stability } from '@/lib/api-types'

const CHANGE_LABEL: Record<string, string> = {
  jpeg_50: 'Saved again as JPEG (quality 50)',
  'downscale_0.5': 'Shrunk to half size and back',
  noise_5: 'Mild noise added',
}

const percent = (p: number) => `${Math.round(p * 100)} %`

/** Whether the verdict holds when the file is re-compressed, resized or gets a little noise
 * (asked with the "stability" option). Unstable: one of those changes alone would give
 * another verdict. */
export function StabilityNote({ stability }: { stability: Stability }) {
  const unstable = stability.unstable
  return (
    <section
      className={`panel stability ${unstable ? 'stability--unstable' : 'stability--stable'}`}
      aria-labelledby="stability-title"
      data-testid="stability"
      data-unstable={unstable}
    >
      <h2 className="panel__title" id="stability-title">
        {unstable ? 'Unstable verdict' : 'Stable verdict'}
      </h2>
      <p>{stability.summary}</p>
      <details>
        <summary>Scores under each change</summary>
        <ul className="stability__changes">
          {Object.entries(stability.changes).map(([name, p]) => (
            <li key={name}>
              {CHANGE_LABEL[name] ?? name}: <strong>{percent(p)} likely fake</strong>
            </li>
          ))}
        </ul>
      </details>
    </section>
  )
}
