import type { BatchResponse } from '@/lib/api-types'
import type { BatchRow } from './batch-rows'

const CSV_COLUMNS = [
  'index',
  'filename',
  'status',
  'prediction',
  'fake_probability',
  'faces',
  'face_detected',
  'models',
  'processing_time_ms',
  'error_code',
  'error_detail',
] as const

type Cell = string | number | boolean | null | undefined

function csvCell(value: Cell): string {
  const text = value == null ? '' : String(value)
  // quote what needs it; a leading = + - @ could run as a formula in a spreadsheet
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/**
 * One line per uploaded file, in upload order. The one number is `fake_probability` (the
 * probability that the face is fake); it is empty where the prediction is NO_FACE (no face
 * found: no verdict) and for a failed file.
 */
export function rowsToCsv(rows: BatchRow[]): string {
  const lines = [CSV_COLUMNS.join(',')]
  for (const row of [...rows].sort((a, b) => a.index - b.index)) {
    const r = row.result
    const record: Record<(typeof CSV_COLUMNS)[number], Cell> = {
      index: row.index,
      filename: row.filename,
      status: r ? 'ok' : 'failed',
      prediction: r?.prediction,
      fake_probability: r?.fake_probability,
      faces: r ? (r.face_detected ? r.faces.length : 0) : undefined,
      face_detected: r?.face_detected,
      models: r?.models_used.join(' '),
      processing_time_ms: r?.processing_time_ms,
      error_code: row.error?.code,
      error_detail: row.error?.detail,
    }
    lines.push(CSV_COLUMNS.map((c) => csvCell(record[c])).join(','))
  }
  return `${lines.join('\r\n')}\r\n`
}

/** The batch response without the images (thumbnails, heatmaps): the numbers only. */
export function responseToJson(response: BatchResponse): string {
  const results = response.results.map((r) => ({
    ...r,
    faces: r.faces.map((f) => ({ ...f, thumbnail: undefined, heatmaps: undefined })),
  }))
  return `${JSON.stringify({ ...response, results }, null, 2)}\n`
}
