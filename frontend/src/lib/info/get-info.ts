import { call, client } from '../api-client'
import type { InfoResponse } from '../api-types'

/** GET /api/info: version, loaded models, upload limits. */
export function getInfo(signal?: AbortSignal): Promise<InfoResponse> {
  return call((s) => client.GET('/api/info', { signal: s }), { signal, timeoutMs: 15_000 })
}
