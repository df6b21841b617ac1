import type { DecisionBand, Verdict } from './api-types'

/** A decision rule's cut as text: 0.2014 -> "20.1 %" (one decimal: the cuts sit close together). */
export function formatCut(value: number): string {
  return `${(value * 100).toFixed(1)} %`
}

/** The verdict `band` gives a FAKE probability: FAKE at or above `high`, REAL below `low`. */
export function verdictOf(p: number, band: DecisionBand): Exclude<Verdict, 'NO_FACE'> {
  if (p >= band.high) return 'FAKE'
  if (p < band.low) return 'REAL'
  return 'UNCERTAIN'
}

export interface RuleRegion {
  verdict: Exclude<Verdict, 'NO_FACE'>
  /** 0-1 */
  from: number
  to: number
  text: string
}

/** The REAL / UNCERTAIN / FAKE regions of a rule, left to right; an empty one is left out. */
export function ruleRegions(band: DecisionBand): RuleRegion[] {
  const regions: RuleRegion[] = [
    { verdict: 'REAL', from: 0, to: band.low, text: `Real below ${formatCut(band.low)}` },
    {
      verdict: 'UNCERTAIN',
      from: band.low,
      to: band.high,
      text: `Uncertain from ${formatCut(band.low)} to ${formatCut(band.high)}`,
    },
    { verdict: 'FAKE', from: band.high, to: 1, text: `Fake at or above ${formatCut(band.high)}` },
  ]
  return regions.filter((r) => r.to > r.from)
}

/** Whose rule decided, as the API says (`band.owner`: "ensemble" or a model's name; the fitted
 * ensemble's rule also decides for its one weighted model alone). History records from before
 * the API said it had it filled in by the history's migration 0005. */
export function ruleOwner(band?: Pick<DecisionBand, 'owner'> | null): string {
  const owner = band?.owner
  if (!owner) return 'the rule'
  return owner === 'ensemble' ? "the ensemble's rule" : `${owner}'s rule`
}

/** The rule a history record kept (`details.decision`), or null for one recorded before
 * the history kept it: free-form JSON, so only a well-formed band. */
export function recordedRule(details: Record<string, unknown>): DecisionBand | null {
  const raw = details.decision as Partial<DecisionBand> | undefined
  if (!raw || typeof raw !== 'object') return null
  const { threshold, low, high } = raw
  if (typeof threshold !== 'number' || typeof low !== 'number' || typeof high !== 'number') return null
  if (!(low >= 0 && low <= threshold && threshold <= high && high <= 1)) return null
  return { threshold, low, high, owner: typeof raw.owner === 'string' ? raw.owner : null }
}
