import type { BatchItemError, BatchResponse } from '@/lib/api-types'
import { batchRows, type BatchRow } from './batch-rows'

/**
 * A batch is sent a few files at a time (one request per group, one group after another), so
 * that each file's card can say where it stands: queued, being analysed (its group is on
 * the service), done or failed. The groups' answers are merged into one BatchResponse, in
 * upload order, as if the batch had been one request.
 */
export const GROUP_SIZE = 2

export type ItemStatus = 'queued' | 'analysing' | 'done' | 'error'

/** The upload positions of each group: [[0, 1], [2, 3], [4]]. */
export function groupsOf(count: number, size = GROUP_SIZE): number[][] {
  const groups: number[][] = []
  for (let start = 0; start < count; start += size) {
    groups.push(Array.from({ length: Math.min(size, count - start) }, (_, i) => start + i))
  }
  return groups
}

export function emptyResponse(): BatchResponse {
  return {
    summary: { total: 0, real: 0, fake: 0, uncertain: 0, no_face: 0, failed: 0, processing_time_ms: 0 },
    results: [],
    errors: [],
  }
}

/** `done` (the files before `offset`) followed by one group's answer, its indexes shifted. */
export function mergeGroup(done: BatchResponse, group: BatchResponse, offset: number): BatchResponse {
  const a = done.summary
  const b = group.summary
  return {
    summary: {
      total: a.total + b.total,
      real: a.real + b.real,
      fake: a.fake + b.fake,
      uncertain: a.uncertain + b.uncertain,
      no_face: a.no_face + b.no_face,
      failed: a.failed + b.failed,
      // the service's time, group by group (the upload between groups is not counted)
      processing_time_ms: a.processing_time_ms + b.processing_time_ms,
    },
    results: [...done.results, ...group.results],
    errors: [...done.errors, ...group.errors.map((e) => ({ ...e, index: e.index + offset }))],
  }
}

/** A group whose request failed as a whole (the service unreachable, busy...): each of its
 * files is a failure with that request's error code, and the batch goes on. */
export function failGroup(
  done: BatchResponse,
  filenames: string[],
  offset: number,
  error: { code: string; detail: string },
): BatchResponse {
  const errors: BatchItemError[] = filenames.map((filename, i) => ({
    index: i, // within the group: mergeGroup shifts it
    filename,
    code: error.code,
    detail: error.detail,
  }))
  const summary = { ...emptyResponse().summary, total: errors.length, failed: errors.length }
  return mergeGroup(done, { summary, results: [], errors }, offset)
}

/**
 * One row per uploaded file while the batch runs: the files answered so far (the first
 * `done.summary.total`, in upload order) with their result or error, the group on the
 * service as `analysing`, the rest `queued`.
 */
export function progressRows(filenames: string[], done: BatchResponse, analysing: number[]): BatchRow[] {
  const answered = batchRows(done)
  const sending = new Set(analysing)
  return filenames.map(
    (filename, index) =>
      answered[index] ?? { index, filename, pending: sending.has(index) ? 'analysing' : 'queued' },
  )
}

/** Where a row stands, for its card. */
export function itemStatus(row: BatchRow): ItemStatus {
  if (row.pending) return row.pending
  return row.result ? 'done' : 'error'
}
