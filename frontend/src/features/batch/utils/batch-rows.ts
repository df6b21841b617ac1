import type { BatchItemError, BatchResponse, PredictionResponse, Verdict } from '@/lib/api-types'

/** One uploaded file of a batch: its result or its error, at its upload position. */
export interface BatchRow {
  index: number
  filename: string
  result?: PredictionResponse
  error?: BatchItemError
  /** not answered yet, while the batch runs: waiting its turn, or on the service now */
  pending?: 'queued' | 'analysing'
}

/** The response's results (successes, in upload order) and errors (with their index)
 * merged back into one row per uploaded file. */
export function batchRows(response: BatchResponse): BatchRow[] {
  const failed = new Map(response.errors.map((e) => [e.index, e]))
  const results = [...response.results]
  const rows: BatchRow[] = []
  for (let index = 0; index < response.summary.total; index += 1) {
    const error = failed.get(index)
    if (error) {
      rows.push({ index, filename: error.filename, error })
    } else {
      const result = results.shift()
      if (result) rows.push({ index, filename: result.filename, result })
    }
  }
  return rows
}

export type SortKey = 'upload' | 'fake-first' | 'real-first' | 'name' | 'verdict'

export const SORT_LABELS: Record<SortKey, string> = {
  upload: 'Upload order',
  'fake-first': 'Most likely fake first',
  'real-first': 'Most likely real first',
  verdict: 'Verdict',
  name: 'File name',
}

const VERDICT_ORDER: Record<Verdict, number> = { FAKE: 0, UNCERTAIN: 1, REAL: 2, NO_FACE: 3 }

/** Sorted copy; by likelihood, files without a probability (no face found) come after those
 * with one; failures always go last (except in upload order); ties keep upload order. */
export function sortRows(rows: BatchRow[], key: SortKey): BatchRow[] {
  // 0: has a probability, 1: analysed without one (NO_FACE), 2: failed
  const group = (r: BatchRow) => (r.result ? (r.result.fake_probability == null ? 1 : 0) : 2)
  const p = (r: BatchRow) => r.result?.fake_probability ?? 0
  const compare: Record<SortKey, (a: BatchRow, b: BatchRow) => number> = {
    upload: (a, b) => a.index - b.index,
    'fake-first': (a, b) => group(a) - group(b) || p(b) - p(a),
    'real-first': (a, b) => group(a) - group(b) || p(a) - p(b),
    name: (a, b) => a.filename.localeCompare(b.filename, undefined, { numeric: true }),
    verdict: (a, b) =>
      (a.result ? VERDICT_ORDER[a.result.prediction] : 4) -
      (b.result ? VERDICT_ORDER[b.result.prediction] : 4),
  }
  return [...rows].sort((a, b) => compare[key](a, b) || a.index - b.index)
}
