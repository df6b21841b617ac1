import { call, client } from '@/lib/api-client'

/** DELETE /api/history/{id} (204). */
export async function deleteAnalysis(id: string): Promise<void> {
  await call(
    (signal) => client.DELETE('/api/history/{analysis_id}', { params: { path: { analysis_id: id } }, signal }),
    { timeoutMs: 15_000 },
  )
}
