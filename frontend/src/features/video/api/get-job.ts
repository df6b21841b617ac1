import { call, client } from '@/lib/api-client'
import type { JobStatus } from '@/lib/api-types'

/** GET /api/jobs/{id}: a job's status, and its result once done. */
export function getJob(jobId: string, signal?: AbortSignal): Promise<JobStatus> {
  return call(
    (s) => client.GET('/api/jobs/{job_id}', { params: { path: { job_id: jobId } }, signal: s }),
    { signal, timeoutMs: 15_000 },
  )
}
