// What a model's measured metrics say, in sentences a reader understands (issue 14 "plain
// words"); the figures themselves stay one click away.

type Metrics = Record<string, unknown>

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function percent(value: number): string {
  return `${Math.round(value * 100)} %`
}

/** A share as "1 in 5" or "19 in 20" when a small fraction says it closely, else "37 %". */
export function shareInWords(share: number): string {
  for (const d of [2, 3, 4, 5, 10, 20]) {
    const n = Math.round(share * d)
    if (n > 0 && n < d && Math.abs(n / d - share) <= 0.015) return `${n} in ${d}`
  }
  return percent(share)
}

/** "Right 61 % of the time when it decides; it abstains on 19 in 20 faces." from
 * `metrics.abstain` (measured on the validation split), or null without it. */
export function leadSentence(metrics: Metrics): string | null {
  const abstain = metrics.abstain as Metrics | undefined
  const decided = num(abstain?.decided_accuracy)
  const fraction = num(abstain?.fraction)
  if (fraction == null) return null
  const abstains =
    fraction === 0
      ? 'it never abstains'
      : fraction === 1
        ? 'it abstains on every face'
        : `it abstains on ${shareInWords(fraction).replace(/%$/, '% of')} faces`
  if (decided == null) return `${abstains.charAt(0).toUpperCase()}${abstains.slice(1)}.`
  return `Right ${percent(decided)} of the time when it decides; ${abstains}.`
}

export interface RobustnessRow {
  key: string
  label: string
  kind: 'benign' | 'adversarial'
  images: number
  rocAuc: number | null
  rocAucDelta: number | null
  /** share of verdicts that change (any of REAL / UNCERTAIN / FAKE) */
  flips: number
  /** share that turn from REAL to FAKE or back */
  reversals: number
}

export interface Robustness {
  cleanRocAuc: number | null
  rows: RobustnessRow[]
  images: number | null
  adversarialImages: number | null
  split: string | null
}

/** `metrics.robustness` (training/robustness.py) as table rows, or null when the bundle has
 * no report; only well-formed rows, since metrics are free-form JSON. */
export function robustnessOf(metrics: Metrics): Robustness | null {
  const raw = metrics.robustness as Metrics | undefined
  const changes = raw?.changes as Record<string, Metrics> | undefined
  if (!changes || typeof changes !== 'object') return null
  const rows: RobustnessRow[] = []
  for (const [key, c] of Object.entries(changes)) {
    const flips = num(c?.flips)
    if ((c?.kind !== 'benign' && c?.kind !== 'adversarial') || flips == null) continue
    rows.push({
      key,
      label: typeof c.label === 'string' ? c.label : key,
      kind: c.kind,
      images: num(c.images) ?? 0,
      rocAuc: num(c.roc_auc),
      rocAucDelta: num(c.roc_auc_delta),
      flips,
      reversals: num(c.reversals) ?? 0,
    })
  }
  if (rows.length === 0) return null
  return {
    cleanRocAuc: num(changes.clean?.roc_auc),
    rows,
    images: num(raw?.images),
    adversarialImages: num(raw?.adversarial_images),
    split: typeof raw?.split === 'string' ? raw.split : null,
  }
}

/** One sentence on how far verdicts move: the worst everyday change and the worst attack. */
export function robustnessSentence(r: Robustness): string {
  const worst = (kind: RobustnessRow['kind']) =>
    r.rows.filter((row) => row.kind === kind).reduce<RobustnessRow | null>((a, b) => (a && a.flips >= b.flips ? a : b), null)
  const benign = worst('benign')
  const attack = worst('adversarial')
  // a share that rounds to 0 % is not "up to 0 %"
  const upTo = (share: number) => (share < 0.005 ? 'fewer than 1 in 100' : `up to ${shareInWords(share)}`)
  const parts: string[] = []
  if (benign) {
    parts.push(
      benign.flips === 0
        ? 'Everyday changes (re-compression, resizing, blur, noise) moved none of its verdicts'
        : `Everyday changes move ${upTo(benign.flips)} of its verdicts (${benign.label})`,
    )
  }
  if (attack) {
    parts.push(
      attack.flips === 0
        ? 'the small attacks tried moved none'
        : `a small deliberate attack moves ${upTo(attack.flips)} (${attack.label})`,
    )
  }
  return `${parts.join('; ')}.`
}
