import { batch } from '@/test/fixtures'
import { emptyResponse, failGroup, groupsOf, itemStatus, mergeGroup, progressRows } from './batch-progress'

describe('batch progress', () => {
  it('splits the files into small groups in upload order', () => {
    expect(groupsOf(5, 2)).toEqual([[0, 1], [2, 3], [4]])
    expect(groupsOf(0, 2)).toEqual([])
  })

  it('merges the groups into one response, indexes shifted, totals added', () => {
    const merged = mergeGroup(mergeGroup(emptyResponse(), batch(), 0), batch(), 3)
    expect(merged.summary).toMatchObject({ total: 6, real: 2, fake: 2, failed: 2, processing_time_ms: 1624 })
    expect(merged.errors.map((e) => e.index)).toEqual([1, 4])
    expect(merged.results).toHaveLength(4)
  })

  it('fails every file of a group whose request failed', () => {
    const merged = failGroup(mergeGroup(emptyResponse(), batch(), 0), ['d.jpg', 'e.jpg'], 3, {
      code: 'network_error',
      detail: 'offline',
    })
    expect(merged.summary).toMatchObject({ total: 5, failed: 3 })
    expect(merged.errors.slice(1)).toEqual([
      { index: 3, filename: 'd.jpg', code: 'network_error', detail: 'offline' },
      { index: 4, filename: 'e.jpg', code: 'network_error', detail: 'offline' },
    ])
  })

  it('gives every file a row: answered, analysing or queued', () => {
    const rows = progressRows(['one.jpg', 'broken.jpg', 'three.jpg', 'four.jpg', 'five.jpg'], batch(), [3, 4])
    expect(rows.map(itemStatus)).toEqual(['done', 'error', 'done', 'analysing', 'analysing'])
    const start = progressRows(['a.jpg', 'b.jpg', 'c.jpg'], emptyResponse(), [0, 1])
    expect(start.map(itemStatus)).toEqual(['analysing', 'analysing', 'queued'])
    expect(start[2]).toEqual({ index: 2, filename: 'c.jpg', pending: 'queued' })
  })
})
