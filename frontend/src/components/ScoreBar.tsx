import type { DecisionBand, Verdict } from '@/lib/api-types'
import { formatFakeProbability, formatPercent } from '@/lib/format'

function verdictOf(p: number, band: DecisionBand): Verdict {
  if (p >= band.high) return 'FAKE'
  if (p < band.low) return 'REAL'
  return 'UNCERTAIN'
}

interface ScoreBarProps {
  label: string
  /** probability of FAKE, 0-1 */
  value: number
  band: DecisionBand
  strong?: boolean
}

/** One model's FAKE probability as a bar, coloured by the side of the band it falls on,
 * with the decision threshold marked. */
export function ScoreBar({ label, value, band, strong = false }: ScoreBarProps) {
  const verdict = verdictOf(value, band)
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
        <div
          className={`score__fill score__fill--${verdict.toLowerCase()}`}
          style={{ width: `${Math.max(1, value * 100)}%` }}
        />
        <div
          className="score__threshold"
          style={{ left: `${band.threshold * 100}%` }}
          title={`threshold ${formatPercent(band.threshold)}`}
        />
      </div>
    </div>
  )
}
