import { ApiError, call, client, type Answer } from '@/lib/api-client'

const FIGURE = /^\/api\/models\/([^/?#]+)\/reports\/([^/?#]+)$/

/** GET /api/models/{name}/reports/{report}: a report figure, from the URL that /api/models
 * lists for it (`/api/models/x/reports/roc.png`), as a Blob. */
export function getReportFigure(url: string, signal?: AbortSignal): Promise<Blob> {
  const match = FIGURE.exec(url)
  if (!match) return Promise.reject(new ApiError(0, 'bad_url', `not a report figure: ${url}`))
  const name = decodeURIComponent(match[1] ?? '')
  const report = decodeURIComponent(match[2] ?? '')
  return call(
    (s) =>
      // the schema lists no content type for the PNG it serves, so the Blob is stated here
      client.GET('/api/models/{name}/reports/{report}', {
        params: { path: { name, report } },
        parseAs: 'blob',
        headers: { Accept: 'image/*' },
        signal: s,
      }) as Promise<Answer<Blob>>,
    { signal, timeoutMs: 30_000 },
  )
}
