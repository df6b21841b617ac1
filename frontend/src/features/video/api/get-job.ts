import { apiRequest } from '@/lib/api-client'
import type { JobStatus } from '@/lib/api-types'

/** GET /api/jobs/{id}: a job's status, and its result once done. */
export function getJob(jobId: string, signal?: AbortSignal): Promise<JobStatus> {
  return apiRequest<JobStatus>(`/api/jobs/${encodeURIComponent(jobId)}`, { signal, timeoutMs: 15_000 })
}
