import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError, isAbortError } from '@/lib/api-client'
import type { BatchResponse } from '@/lib/api-types'
import { describeError, type ErrorMessage } from '@/lib/error-messages'
import { useInfo } from '@/lib/info/info-context'
import { predictBatch } from '../api/predict-batch'

export type BatchState =
  | { status: 'idle' }
  | { status: 'loading'; files: File[] }
  | { status: 'success'; files: File[]; response: BatchResponse }
  | { status: 'error'; files: File[]; error: ErrorMessage }

/** Analyse many images in one request. */
export function useBatch() {
  const [state, setState] = useState<BatchState>({ status: 'idle' })
  const info = useInfo()
  const limits = info?.limits ?? null
  const controller = useRef<AbortController | null>(null)

  useEffect(() => () => controller.current?.abort(), [])

  const run = useCallback(
    async (files: File[]) => {
      controller.current?.abort()
      if (limits && files.length > limits.max_batch_files) {
        const error = new ApiError(400, 'too_many_files', `${files.length} files`)
        setState({ status: 'error', files, error: describeError(error, { limits }) })
        return
      }
      const current = new AbortController()
      controller.current = current
      setState({ status: 'loading', files })
      try {
        const response = await predictBatch({ files, signal: current.signal })
        setState({ status: 'success', files, response })
      } catch (error) {
        if (!isAbortError(error)) {
          setState({ status: 'error', files, error: describeError(error, { limits }) })
        }
      }
    },
    [limits],
  )

  return { state, run }
}
