import { apiRequest } from '@/lib/api-client'
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
  const body = new FormData()
  body.append('file', file, file.name || 'video.mp4')
  body.append('stability', String(stability))
  return apiRequest<JobCreated>('/api/jobs/video', {
    method: 'POST',
    query: { frames },
    body,
    signal,
    timeoutMs: 10 * 60_000, // the upload itself may be large
  })
}
