import type { PredictionResponse } from '@/lib/api-types'
import type { ErrorMessage } from '@/lib/error-messages'

export interface AnalyzeOptions {
  models: string[]
  tta: boolean
  explain: boolean
  /** with no face found, score the whole image as a face crop (form field whole_image) */
  wholeImage: boolean
  /** re-score each face under benign changes and say whether the verdict holds */
  stability: boolean
}

/** Where an analysis stands. The file stays through every state so the preview stays;
 * `options`: those the file is (being) analysed with. */
export type AnalyzeState =
  | { status: 'idle' }
  | { status: 'loading'; file: File; options?: AnalyzeOptions }
  | { status: 'success'; file: File; result: PredictionResponse; options?: AnalyzeOptions }
  | { status: 'error'; file: File | null; error: ErrorMessage; retryable: boolean }

export type AnalyzeAction =
  | { type: 'start'; file: File; options?: AnalyzeOptions }
  | { type: 'success'; file: File; result: PredictionResponse }
  /** the call for `file` failed; `keepPreview`: show the file with the error (to retry) */
  | { type: 'failure'; file: File; error: ErrorMessage; keepPreview?: boolean }
  /** refused before any call (too large...): always applies */
  | { type: 'reject'; error: ErrorMessage }
  | { type: 'reset' }

export const initialAnalyzeState: AnalyzeState = { status: 'idle' }

export function analyzeReducer(state: AnalyzeState, action: AnalyzeAction): AnalyzeState {
  switch (action.type) {
    case 'start':
      return action.options
        ? { status: 'loading', file: action.file, options: action.options }
        : { status: 'loading', file: action.file }
    case 'success':
      // an answer for a file the user has since replaced is stale
      if (state.status !== 'loading' || state.file !== action.file) return state
      return state.options
        ? { status: 'success', file: action.file, result: action.result, options: state.options }
        : { status: 'success', file: action.file, result: action.result }
    case 'failure':
      if (state.status !== 'loading' || state.file !== action.file) return state
      return {
        status: 'error',
        file: action.keepPreview ? action.file : null,
        error: action.error,
        retryable: action.keepPreview ?? false,
      }
    case 'reject':
      return { status: 'error', file: null, error: action.error, retryable: false }
    case 'reset':
      return initialAnalyzeState
  }
}

const OPTION_NAMES: Record<Exclude<keyof AnalyzeOptions, 'models'>, string> = {
  explain: 'the heatmaps',
  tta: 'test-time augmentation',
  stability: 'the stability check',
  wholeImage: 'scoring the whole image when no face is found',
}

/**
 * What differs between the options a result was analysed with and the options set now, in
 * words ("the models", "the heatmaps"...); empty when a re-run would give the same analysis. Scoring
 * the whole image counts only when it was just turned on and the result is NO_FACE: with a
 * face found it changes nothing, and "Score the whole image" under a NO_FACE result is a
 * one-off for that file that leaves the option as it was.
 */
export function changedOptions(
  used: AnalyzeOptions,
  now: AnalyzeOptions,
  { noFace }: { noFace: boolean },
): string[] {
  const changed: string[] = []
  const sameModels =
    used.models.length === now.models.length && used.models.every((m) => now.models.includes(m))
  if (!sameModels) changed.push('the models')
  for (const key of Object.keys(OPTION_NAMES) as (keyof typeof OPTION_NAMES)[]) {
    if (key === 'wholeImage') {
      if (noFace && now.wholeImage && !used.wholeImage) changed.push(OPTION_NAMES[key])
    } else if (used[key] !== now[key]) changed.push(OPTION_NAMES[key])
  }
  return changed
}
