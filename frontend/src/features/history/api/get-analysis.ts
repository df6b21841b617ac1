import { call, client } from '@/lib/api-client'
import type { HistoryItem } from '@/lib/api-types'

/** GET /api/history/{id}: one past analysis. */
export function getAnalysis(id: string, signal?: AbortSignal): Promise<HistoryItem> {
  return call(
    (s) => client.GET('/api/history/{analysis_id}', { params: { path: { analysis_id: id } }, signal: s }),
    { signal, timeoutMs: 15_000 },
  )
}
