import { call, client } from '@/lib/api-client'

/** GET /api/history/{id}/report?download=1: the analysis's self-contained HTML report. */
export function getReport(id: string, signal?: AbortSignal): Promise<Blob> {
  return call(
    (s) =>
      client.GET('/api/history/{analysis_id}/report', {
        params: { path: { analysis_id: id }, query: { download: true } },
        parseAs: 'blob',
        headers: { Accept: '*/*' },
        signal: s,
      }),
    { signal, timeoutMs: 30_000 },
  )
}

/** The file name the report is saved under: "faceproof-report-clip-1a2b3c4d.html". */
export function reportFilename(filename: string, id: string): string {
  const stem = filename.replace(/\.[^.]*$/, '') || 'analysis'
  return `faceproof-report-${stem}-${id.slice(0, 8)}.html`
}
