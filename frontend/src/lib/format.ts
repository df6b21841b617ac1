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
}

/** "FAKE" -> "Fake" */
export function verdictLabel(verdict: Verdict): string {
  return VERDICT_WORDS[verdict]
}

/** The headline: "Fake – 97.3%" */
export function verdictHeadline(verdict: Verdict, confidence: number): string {
  return `${verdictLabel(verdict)} – ${formatPercent(confidence)}`
}

/** The service's lower-case reason as a sentence. */
export function sentence(text: string): string {
  const trimmed = text.trim()
  if (!trimmed) return ''
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1)
  return /[.!?]$/.test(first) ? first : `${first}.`
}
