import type { DecisionBand } from '@/lib/api-types'
import { formatClock, formatFakePercent, formatFakeProbability, formatPercent } from '@/lib/format'

export interface TimelineSample {
  time_s: number
  /** FAKE probability of the frame; null where no face was found */
  p: number | null
}

interface TimelineChartProps {
  samples: TimelineSample[]
  duration_s: number
  decision: DecisionBand
}

// The plot is drawn in a 1000 x 300 box stretched to the container; strokes keep their
// width (non-scaling-stroke) and the labels are HTML, so text never stretches.
const W = 1000
const H = 300

/** Per-frame FAKE probability over time, with the threshold line and the abstain band. */
export function TimelineChart({ samples, duration_s, decision }: TimelineChartProps) {
  const end = Math.max(duration_s, ...samples.map((s) => s.time_s), 0.001)
  const x = (t: number) => (t / end) * W
  const y = (p: number) => (1 - p) * H

  // a frame without a face breaks the line
  const segments: TimelineSample[][] = []
  let current: TimelineSample[] = []
  for (const s of samples) {
    if (s.p == null) {
      if (current.length) segments.push(current)
      current = []
    } else {
      current.push(s)
    }
  }
  if (current.length) segments.push(current)

  const scored = samples.filter((s) => s.p != null) as { time_s: number; p: number }[]
  const peak = scored.reduce<{ time_s: number; p: number } | null>(
    (best, s) => (best == null || s.p > best.p ? s : best),
    null,
  )
  const summary = peak
    ? `Fake probability over ${formatClock(end)}: ${scored.length} of ${samples.length} frames ` +
      `with a face, highest ${formatFakeProbability(peak.p)} at ${formatClock(peak.time_s)}; ` +
      `threshold ${formatFakePercent(decision.threshold)}.`
    : 'No frame showed a face.'

  return (
    <figure className="timeline" data-testid="timeline">
      <div className="timeline__plot">
        <div className="timeline__y" aria-hidden="true">
          <span style={{ top: '0%' }}>100%</span>
          <span style={{ top: '50%' }}>50%</span>
          <span style={{ top: '100%' }}>0%</span>
        </div>
        <div className="timeline__area">
          <svg
            viewBox={`0 0 ${W} ${H}`}
            preserveAspectRatio="none"
            role="img"
            aria-label={summary}
          >
            <rect
              className="timeline__band"
              x={0}
              width={W}
              y={y(decision.high)}
              height={Math.max(0, y(decision.low) - y(decision.high))}
            />
            {[0.25, 0.5, 0.75].map((g) => (
              <line key={g} className="timeline__grid" x1={0} x2={W} y1={y(g)} y2={y(g)} />
            ))}
            <line
              className="timeline__threshold"
              x1={0}
              x2={W}
              y1={y(decision.threshold)}
              y2={y(decision.threshold)}
              data-testid="threshold-line"
            />
            {segments.map((seg, i) => (
              <polyline
                key={i}
                className="timeline__line"
                points={seg.map((s) => `${x(s.time_s)},${y(s.p as number)}`).join(' ')}
              />
            ))}
            {scored.map((s, i) => (
              <path
                key={i}
                className={`timeline__dot${s.p >= decision.high ? ' timeline__dot--fake' : s.p < decision.low ? ' timeline__dot--real' : ''}`}
                d={`M${x(s.time_s)} ${y(s.p)}h0`}
              />
            ))}
          </svg>
          <span
            className="timeline__threshold-label"
            style={{ top: `${(1 - decision.threshold) * 100}%` }}
            aria-hidden="true"
          >
            threshold {formatPercent(decision.threshold, 0)}
          </span>
        </div>
      </div>
      <div className="timeline__x" aria-hidden="true">
        <span>{formatClock(0)}</span>
        <span>{formatClock(end)}</span>
      </div>
      <figcaption className="timeline__caption">{summary}</figcaption>
    </figure>
  )
}
