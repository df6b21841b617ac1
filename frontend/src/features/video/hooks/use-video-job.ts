import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError, getApiKey, isAbortError } from '@/lib/api-client'
import type { JobStatus, VideoResponse } from '@/lib/api-types'
import { describeError, type ErrorMessage } from '@/lib/error-messages'
import { useInfo } from '@/lib/info/info-context'
import { createVideoJob } from '../api/create-video-job'
import { getJob } from '../api/get-job'
import { watchJobEvents } from '../api/watch-job-events'

export type VideoJobState =
  | { status: 'idle' }
  | { status: 'uploading'; file: File }
  | { status: 'running'; file: File; progress: number; stage: string }
  | { status: 'done'; file: File; result: VideoResponse }
  | { status: 'failed'; file: File | null; error: ErrorMessage }

const POLL_MS = 1000

/** Upload a video as a job, follow its progress events (polling if the stream breaks),
 * and end with its result or its error. */
export function useVideoJob() {
  const [state, setState] = useState<VideoJobState>({ status: 'idle' })
  const info = useInfo()
  const limits = info?.limits ?? null
  const stop = useRef<() => void>(() => {})

  useEffect(() => () => stop.current(), [])

  const start = useCallback(
    async (file: File, frames?: number, stability = false) => {
      stop.current()
      if (limits && file.size > limits.max_video_bytes) {
        const error = new ApiError(413, 'file_too_large', `${file.name} is too large`)
        setState({ status: 'failed', file: null, error: describeError(error, { limits, upload: 'video', filename: file.name }) })
        return
      }
      const controller = new AbortController()
      let active = true
      let timer: ReturnType<typeof setTimeout> | undefined
      let closeEvents = () => {}
      stop.current = () => {
        active = false
        controller.abort()
        clearTimeout(timer)
        closeEvents()
      }
      const fail = (error: unknown) => {
        if (active && !isAbortError(error)) {
          setState({ status: 'failed', file, error: describeError(error, { limits, upload: 'video', filename: file.name }) })
        }
      }
      const finish = (job: JobStatus) => {
        if (!active) return
        if (job.status === 'done' && job.result) {
          setState({ status: 'done', file, result: job.result })
        } else {
          const body = job.error ?? { code: 'job_failed', detail: 'the analysis failed' }
          fail(new ApiError(422, body.code, body.detail))
        }
      }
      const progress = (job: JobStatus) => {
        if (active) setState({ status: 'running', file, progress: job.progress, stage: job.stage })
      }
      const poll = async (jobId: string) => {
        try {
          const job = await getJob(jobId, controller.signal)
          if (job.status === 'done' || job.status === 'failed') finish(job)
          else {
            progress(job)
            timer = setTimeout(() => void poll(jobId), POLL_MS)
          }
        } catch (error) {
          fail(error)
        }
      }

      setState({ status: 'uploading', file })
      try {
        const job = await createVideoJob({ file, frames, stability, signal: controller.signal })
        if (!active) return
        setState({ status: 'running', file, progress: 0, stage: job.status })
        // EventSource cannot send the API key header: poll instead when one is set
        if (getApiKey() || typeof EventSource === 'undefined') {
          void poll(job.job_id)
        } else {
          closeEvents = watchJobEvents(job.events_url, {
            onProgress: progress,
            onFinished: finish,
            onBroken: () => void poll(job.job_id),
          })
        }
      } catch (error) {
        fail(error)
      }
    },
    [limits],
  )

  return { state, start }
}
