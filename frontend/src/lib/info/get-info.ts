import { apiRequest } from '../api-client'
import type { InfoResponse } from '../api-types'

/** GET /api/info: version, loaded models, upload limits. */
export function getInfo(signal?: AbortSignal): Promise<InfoResponse> {
  return apiRequest<InfoResponse>('/api/info', { signal, timeoutMs: 15_000 })
}
