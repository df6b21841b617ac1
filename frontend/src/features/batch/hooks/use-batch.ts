import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError, isAbortError } from '@/lib/api-client'
import type { BatchResponse } from '@/lib/api-types'
import { describeError, type ErrorMessage } from '@/lib/error-messages'
import { useInfo } from '@/lib/info/info-context'
import { predictBatch } from '../api/predict-batch'
import { emptyResponse, failGroup, groupsOf, mergeGroup } from '../utils/batch-progress'

export type BatchState =
  | { status: 'idle' }
  /** `done`: the answers so far (the first files, in upload order); `analysing`: the upload
   * positions of the group on the service now */
  | { status: 'loading'; files: File[]; done: BatchResponse; analysing: number[] }
  | { status: 'success'; files: File[]; response: BatchResponse }
  | { status: 'error'; files: File[]; error: ErrorMessage }

/** Analyse many images, a small group per request (so that each file's progress is known),
 * one group after another; a group that fails as a whole fails its files, not the batch. */
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
      let done = emptyResponse()
      for (const group of groupsOf(files.length)) {
        const offset = group[0] ?? 0
        setState({ status: 'loading', files, done, analysing: group })
        const part = group.map((i) => files[i] as File)
        try {
          done = mergeGroup(done, await predictBatch({ files: part, signal: current.signal }), offset)
        } catch (error) {
          if (isAbortError(error) || current.signal.aborted) return
          const failure = error instanceof ApiError ? error : new ApiError(0, 'network_error', String(error))
          const names = part.map((f, i) => f.name || `image-${offset + i + 1}.png`)
          done = failGroup(done, names, offset, failure)
        }
        if (current.signal.aborted) return
      }
      setState({ status: 'success', files, response: done })
    },
    [limits],
  )

  return { state, run }
}
