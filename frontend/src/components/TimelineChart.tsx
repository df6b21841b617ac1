import type { DecisionBand } from '@/lib/api-types'
import { formatClock, formatFakeProbability } from '@/lib/format'
import { formatCut, ruleRegions } from '@/lib/rule'
import { RuleLegend } from './RuleLegend'

export interface TimelineSample {
  time_s: number
  /** FAKE probability of the frame; null where no face was found */
  p: number | null
}

interface TimelineChartProps {
  samples: TimelineSample[]
  duration_s: number
  /** the rule that decided; null when it is not known (a record from before rules were kept) */
  decision: DecisionBand | null
  /** whose rule it is, for the legend: "the ensemble's rule" */
  ruleOwner?: string
}

// The plot is drawn in a 1000 x 300 box stretched to the container; strokes keep their
// width (non-scaling-stroke) and the labels are HTML, so text never stretches.
const W = 1000
const H = 300
// a region thinner than this share of the height gets no label inside it (the legend has it)
const MIN_LABELLED = 0.12

/** Per-frame FAKE probability over time, over the REAL / UNCERTAIN / FAKE regions of the
 * rule that decided, each region labelled. */
export function TimelineChart({ samples, duration_s, decision, ruleOwner = 'the rule that decided' }: TimelineChartProps) {
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
      (decision
        ? `REAL below ${formatCut(decision.low)}, FAKE at or above ${formatCut(decision.high)}.`
        : 'the decision rule was not recorded.')
    : 'No frame showed a face.'
  const regions = decision ? ruleRegions(decision) : []

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
            {regions.map((r) => (
              <rect
                key={r.verdict}
                className={`timeline__region timeline__region--${r.verdict.toLowerCase()}`}
                x={0}
                width={W}
                y={y(r.to)}
                height={y(r.from) - y(r.to)}
                data-testid="timeline-region"
              />
            ))}
            {[0.25, 0.5, 0.75].map((g) => (
              <line key={g} className="timeline__grid" x1={0} x2={W} y1={y(g)} y2={y(g)} />
            ))}
            {decision &&
              [decision.low, decision.high]
                .filter((cut, i, cuts) => cuts.indexOf(cut) === i && cut > 0 && cut < 1)
                .map((cut) => (
                  <line key={cut} className="timeline__cut" x1={0} x2={W} y1={y(cut)} y2={y(cut)} data-testid="cut-line" />
                ))}
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
                className={`timeline__dot${!decision ? '' : s.p >= decision.high ? ' timeline__dot--fake' : s.p < decision.low ? ' timeline__dot--real' : ''}`}
                d={`M${x(s.time_s)} ${y(s.p)}h0`}
              />
            ))}
          </svg>
          {regions.filter((r) => r.to - r.from >= MIN_LABELLED).map((r) => (
            <span
              key={r.verdict}
              className={`timeline__region-label timeline__region-label--${r.verdict.toLowerCase()}`}
              style={{ top: `${(1 - (r.from + r.to) / 2) * 100}%` }}
              aria-hidden="true"
            >
              {r.verdict}
            </span>
          ))}
        </div>
      </div>
      <div className="timeline__x" aria-hidden="true">
        <span>{formatClock(0)}</span>
        <span>{formatClock(end)}</span>
      </div>
      <RuleLegend band={decision} owner={ruleOwner} />
      <figcaption className="timeline__caption">{summary}</figcaption>
    </figure>
  )
}
