import type { PredictionResponse } from '@/lib/api-types'
import type { ErrorMessage } from '@/lib/error-messages'

/** Where an analysis stands. The file stays through every state so the preview stays. */
export type AnalyzeState =
  | { status: 'idle' }
  | { status: 'loading'; file: File }
  | { status: 'success'; file: File; result: PredictionResponse }
  | { status: 'error'; file: File | null; error: ErrorMessage; retryable: boolean }

export type AnalyzeAction =
  | { type: 'start'; file: File }
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
      return { status: 'loading', file: action.file }
    case 'success':
      // an answer for a file the user has since replaced is stale
      if (state.status !== 'loading' || state.file !== action.file) return state
      return { status: 'success', file: action.file, result: action.result }
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
