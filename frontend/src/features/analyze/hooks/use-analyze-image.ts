import { useCallback, useEffect, useReducer, useRef, useState } from 'react'
import { ApiError, isAbortError } from '@/lib/api-client'
import { describeError } from '@/lib/error-messages'
import { useInfo } from '@/lib/info/info-context'
import type { PhotoProgress } from '@/lib/api-types'
import { streamImageAnalysis } from '../api/stream-image-analysis'
import { analyzeReducer, initialAnalyzeState, type AnalyzeOptions } from './analyze-state'

export type { AnalyzeOptions }

const RETRYABLE = new Set(['network_error', 'timeout', 'not_ready'])
/** An analysis quicker than this shows no step: it would only flicker. */
export const STEP_DELAY_MS = 1000

/** Analyse one image: checks the size first, cancels a previous call, keeps the state;
 * `step`: the stage the service reports, once the analysis has taken over a second. */
export function useAnalyzeImage() {
  const [state, dispatch] = useReducer(analyzeReducer, initialAnalyzeState)
  const [step, setStep] = useState<PhotoProgress | null>(null)
  const [slow, setSlow] = useState(false)
  const slowTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const info = useInfo()
  const limits = info?.limits ?? null
  const controller = useRef<AbortController | null>(null)

  useEffect(
    () => () => {
      controller.current?.abort()
      clearTimeout(slowTimer.current)
    },
    [],
  )

  const analyze = useCallback(
    async (file: File, options: AnalyzeOptions) => {
      controller.current?.abort()
      if (limits && file.size > limits.max_image_bytes) {
        // refuse here: no point uploading what the service will refuse
        const error = new ApiError(413, 'file_too_large', `${file.name} is too large`)
        dispatch({ type: 'reject', error: describeError(error, { limits, filename: file.name || undefined }) })
        return
      }
      const current = new AbortController()
      controller.current = current
      dispatch({ type: 'start', file, options })
      setStep(null)
      setSlow(false)
      clearTimeout(slowTimer.current)
      slowTimer.current = setTimeout(() => setSlow(true), STEP_DELAY_MS)
      const onProgress = (s: PhotoProgress) => {
        if (controller.current === current) setStep(s)
      }
      try {
        const result = await streamImageAnalysis({ file, ...options, signal: current.signal }, onProgress)
        dispatch({ type: 'success', file, result })
      } catch (error) {
        if (isAbortError(error)) return
        const retryable = error instanceof ApiError && RETRYABLE.has(error.code)
        dispatch({
          type: 'failure',
          file,
          error: describeError(error, { limits, filename: file.name || undefined }),
          keepPreview: retryable,
        })
      }
    },
    [limits],
  )

  const reset = useCallback(() => {
    controller.current?.abort()
    dispatch({ type: 'reset' })
  }, [])

  return { state, analyze, reset, step: state.status === 'loading' && slow ? step : null }
}
