import { apiRequest } from '@/lib/api-client'

/** DELETE /api/history/{id} (204). */
export function deleteAnalysis(id: string): Promise<void> {
  return apiRequest<void>(`/api/history/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    timeoutMs: 15_000,
  })
}
