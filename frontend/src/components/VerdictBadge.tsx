import type { Verdict } from '@/lib/api-types'
import { verdictLabel } from '@/lib/format'

/** A small coloured label: Fake / Real / Uncertain. */
export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return (
    <span className={`badge badge--${verdict.toLowerCase()}`} data-verdict={verdict}>
      {verdictLabel(verdict)}
    </span>
  )
}
