import type { DecisionBand } from '@/lib/api-types'
import { ruleRegions } from '@/lib/rule'

interface RuleLegendProps {
  /** null: the rule is not known (a history record from before rules were kept) */
  band: DecisionBand | null
  /** whose rule it is: "the ensemble's rule", "resnet50's rule" */
  owner: string
}

/** The key to the shaded regions of the score bars and the timeline: which probabilities
 * give REAL, UNCERTAIN and FAKE under the rule that decided. */
export function RuleLegend({ band, owner }: RuleLegendProps) {
  if (!band) {
    return (
      <p className="rule-legend rule-legend--unknown" data-testid="rule-legend">
        The decision rule was not recorded with this analysis (it predates that), so the
        regions are not drawn: only the probabilities are shown.
      </p>
    )
  }
  return (
    <p className="rule-legend" data-testid="rule-legend">
      <span className="rule-legend__owner">Regions of {owner}:</span>{' '}
      {ruleRegions(band).map((r) => (
        <span key={r.verdict} className="rule-legend__item">
          <span className={`rule-legend__swatch rule-legend__swatch--${r.verdict.toLowerCase()}`} aria-hidden="true" />
          {r.text}
        </span>
      ))}
    </p>
  )
}
