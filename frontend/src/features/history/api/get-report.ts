import { apiRequest } from '@/lib/api-client'

/** GET /api/history/{id}/report?download=1: the analysis's self-contained HTML report. */
export function getReport(id: string, signal?: AbortSignal): Promise<Blob> {
  return apiRequest<Blob>(`/api/history/${encodeURIComponent(id)}/report`, {
    query: { download: 1 },
    as: 'blob',
    signal,
    timeoutMs: 30_000,
  })
}

/** The file name the report is saved under: "faceproof-report-clip-1a2b3c4d.html". */
export function reportFilename(filename: string, id: string): string {
  const stem = filename.replace(/\.[^.]*$/, '') || 'analysis'
  return `faceproof-report-${stem}-${id.slice(0, 8)}.html`
}
