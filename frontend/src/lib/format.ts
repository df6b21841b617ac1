import type { Verdict } from './api-types'

/** 0.9734 -> "97.3%" */
export function formatPercent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1).replace(/\.0$/, '')} ${units[unit]}`
}

/** 1344.2 -> "1.3 s", 226.8 -> "227 ms" */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** 75.4 -> "1:15" */
export function formatClock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds))
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`
}

/** A moment in a video: "0.3 s" in a short one, "1:15" in a long one. */
export function formatTimestamp(seconds: number): string {
  return seconds < 60 ? `${seconds.toFixed(1)} s` : formatClock(seconds)
}

export function formatDate(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

const VERDICT_WORDS: Record<Verdict, string> = {
  FAKE: 'Fake',
  REAL: 'Real',
  UNCERTAIN: 'Uncertain',
  NO_FACE: 'No face found',
}

/** "FAKE" -> "Fake", "NO_FACE" -> "No face found": the words of a badge. */
export function verdictLabel(verdict: Verdict): string {
  return VERDICT_WORDS[verdict]
}

/** "NO_FACE" -> "no-face": the verdict as a CSS class or data attribute suffix. */
export function verdictSlug(verdict: Verdict): string {
  return verdict.toLowerCase().replace(/_/g, '-')
}

/**
 * A FAKE probability as a whole percentage: 0.637 -> "64 %". Never rounds to a certainty
 * the models did not give: 0.996 -> ">99 %", 0.003 -> "<1 %".
 */
export function formatFakePercent(p: number): string {
  const percent = Math.round(p * 100)
  if (percent >= 100 && p < 1) return '>99 %'
  if (percent <= 0 && p > 0) return '<1 %'
  return `${percent} %`
}

/**
 * The one number FaceProof shows for a result, everywhere: the probability that the face is
 * fake. "88 % likely fake"; an UNCERTAIN verdict also says which side of the decision
 * threshold it falls on: "38 % likely fake, leans real".
 */
export function formatFakeProbability(p: number, verdict?: Verdict, threshold = 0.5): string {
  const text = `${formatFakePercent(p)} likely fake`
  if (verdict !== 'UNCERTAIN') return text
  if (Math.abs(p - threshold) < 0.005) return `${text}, right on the line`
  return `${text}, leans ${p > threshold ? 'fake' : 'real'}`
}

/**
 * The headline of a result in two parts, the verdict and the number: "FAKE" and "88 % likely
 * fake"; "NO VERDICT" and "no face found" when there was no face to judge.
 */
export function verdictHeadlineParts(
  verdict: Verdict,
  fakeProbability: number | null,
  threshold = 0.5,
): { word: string; detail: string } {
  if (verdict === 'NO_FACE' || fakeProbability == null) return { word: 'NO VERDICT', detail: 'no face found' }
  return { word: verdict, detail: formatFakeProbability(fakeProbability, verdict, threshold) }
}

/** The headline as one line: "FAKE · 88 % likely fake", "REAL · 4 % likely fake". */
export function verdictHeadline(verdict: Verdict, fakeProbability: number | null, threshold = 0.5): string {
  const { word, detail } = verdictHeadlineParts(verdict, fakeProbability, threshold)
  return `${word} · ${detail}`
}

/** The service's lower-case reason as a sentence. */
export function sentence(text: string): string {
  const trimmed = text.trim()
  if (!trimmed) return ''
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1)
  return /[.!?]$/.test(first) ? first : `${first}.`
}
