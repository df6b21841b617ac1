import { call, client, multipart } from '@/lib/api-client'
import type { JobCreated } from '@/lib/api-types'

export interface CreateVideoJobInput {
  file: File
  /** frames to sample; absent: the service's default */
  frames?: number
  /** re-score each face under benign changes and say whether the verdict holds */
  stability?: boolean
  signal?: AbortSignal
}

/** POST /api/jobs/video: upload a video; the analysis runs as a job (202). */
export function createVideoJob({ file, frames, stability = false, signal }: CreateVideoJobInput): Promise<JobCreated> {
  const body = multipart(
    '/api/jobs/video',
    { file, stability, tta: false, whole_image: false },
    (f) => f.name || 'video.mp4',
  )
  return call(
    (s) => client.POST('/api/jobs/video', { params: { query: { frames } }, body, signal: s }),
    { signal, timeoutMs: 10 * 60_000 }, // the upload itself may be large
  )
}
