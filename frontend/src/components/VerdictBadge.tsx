import type { Verdict } from '@/lib/api-types'
import { verdictLabel, verdictSlug } from '@/lib/format'

/** A small coloured label: Fake / Real / Uncertain, or a grey "No face found". */
export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return (
    <span className={`badge badge--${verdictSlug(verdict)}`} data-verdict={verdict}>
      {verdictLabel(verdict)}
    </span>
  )
}
