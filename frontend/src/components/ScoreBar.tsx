import type { DecisionBand } from '@/lib/api-types'
import { formatFakeProbability } from '@/lib/format'
import { ruleRegions, verdictOf } from '@/lib/rule'

interface ScoreBarProps {
  label: string
  /** probability of FAKE, 0-1 */
  value: number
  /** the rule that decided; null when it is not known (then no regions, a neutral bar) */
  band: DecisionBand | null
  strong?: boolean
}

/** One FAKE probability as a bar over the REAL / UNCERTAIN / FAKE regions of the rule that
 * decided, coloured by the region it ends in. */
export function ScoreBar({ label, value, band, strong = false }: ScoreBarProps) {
  const tone = band ? verdictOf(value, band).toLowerCase() : 'unknown'
  return (
    <div className={`score${strong ? ' score--strong' : ''}`} data-testid="score-bar">
      <div className="score__row">
        <span className="score__label">{label}</span>
        <span className="score__value">{formatFakeProbability(value)}</span>
      </div>
      <div
        className="score__track"
        role="meter"
        aria-label={`${label}: ${formatFakeProbability(value)}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(value * 1000) / 10}
      >
        {band &&
          ruleRegions(band).map((r) => (
            <div
              key={r.verdict}
              className={`score__region score__region--${r.verdict.toLowerCase()}`}
              style={{ left: `${r.from * 100}%`, width: `${(r.to - r.from) * 100}%` }}
              title={r.text}
              data-testid="score-region"
            />
          ))}
        <div className={`score__fill score__fill--${tone}`} style={{ width: `${Math.max(1, value * 100)}%` }} />
      </div>
    </div>
  )
}
