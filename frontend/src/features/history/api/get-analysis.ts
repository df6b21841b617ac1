import { apiRequest } from '@/lib/api-client'
import type { HistoryItem } from '@/lib/api-types'

/** GET /api/history/{id}: one past analysis. */
export function getAnalysis(id: string, signal?: AbortSignal): Promise<HistoryItem> {
  return apiRequest<HistoryItem>(`/api/history/${encodeURIComponent(id)}`, { signal, timeoutMs: 15_000 })
}
