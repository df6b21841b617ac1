import { call, client } from '@/lib/api-client'
import type { HistoryPage, Verdict } from '@/lib/api-types'

export interface GetHistoryInput {
  page: number
  pageSize: number
  /** only this verdict; absent: all */
  prediction?: Verdict
  /** a part of the file name, or a SHA-256 (its first hex digits); absent: all */
  q?: string
  signal?: AbortSignal
}

/** GET /api/history: past analyses, newest first, a page at a time. */
export function getHistory({ page, pageSize, prediction, q, signal }: GetHistoryInput): Promise<HistoryPage> {
  return call(
    (s) =>
      client.GET('/api/history', {
        params: { query: { page, page_size: pageSize, prediction, q: q || undefined } },
        signal: s,
      }),
    { signal, timeoutMs: 15_000 },
  )
}
