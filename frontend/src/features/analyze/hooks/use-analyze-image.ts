import { useCallback, useEffect, useReducer, useRef } from 'react'
import { ApiError, isAbortError } from '@/lib/api-client'
import { describeError } from '@/lib/error-messages'
import { useInfo } from '@/lib/info/info-context'
import { predictImage } from '../api/predict-image'
import { analyzeReducer, initialAnalyzeState, type AnalyzeOptions } from './analyze-state'

export type { AnalyzeOptions }

const RETRYABLE = new Set(['network_error', 'timeout', 'not_ready'])

/** Analyse one image: checks the size first, cancels a previous call, keeps the state. */
export function useAnalyzeImage() {
  const [state, dispatch] = useReducer(analyzeReducer, initialAnalyzeState)
  const info = useInfo()
  const limits = info?.limits ?? null
  const controller = useRef<AbortController | null>(null)

  useEffect(() => () => controller.current?.abort(), [])

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
      try {
        const result = await predictImage({ file, ...options, signal: current.signal })
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

  return { state, analyze, reset }
}
