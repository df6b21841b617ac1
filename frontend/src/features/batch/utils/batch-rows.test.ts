import { batch, noFacePrediction } from '@/test/fixtures'
import { batchRows, sortRows } from './batch-rows'

describe('batchRows', () => {
  it('puts results and errors back in upload order', () => {
    const rows = batchRows(batch())
    expect(rows.map((r) => [r.index, r.filename, r.result ? 'ok' : r.error?.code])).toEqual([
      [0, 'one.jpg', 'ok'],
      [1, 'broken.jpg', 'undecodable_image'],
      [2, 'three.jpg', 'ok'],
    ])
  })
})

describe('sortRows', () => {
  const rows = batchRows(batch())
  const names = (key: Parameters<typeof sortRows>[1]) => sortRows(rows, key).map((r) => r.filename)

  it('sorts by likelihood of fake, failures last', () => {
    expect(names('fake-first')).toEqual(['one.jpg', 'three.jpg', 'broken.jpg'])
    expect(names('real-first')).toEqual(['three.jpg', 'one.jpg', 'broken.jpg'])
  })

  it('sorts by verdict, name and upload order', () => {
    expect(names('verdict')).toEqual(['one.jpg', 'three.jpg', 'broken.jpg'])
    expect(names('name')).toEqual(['broken.jpg', 'one.jpg', 'three.jpg'])
    expect(names('upload')).toEqual(['one.jpg', 'broken.jpg', 'three.jpg'])
  })

  it('puts files with no face after those with a probability, before failures', () => {
    const response = batch()
    response.results.push(noFacePrediction({ filename: 'grey.png' }))
    response.summary = { ...response.summary, total: 4, no_face: 1 }
    const withNoFace = batchRows(response)
    const sorted = (key: Parameters<typeof sortRows>[1]) => sortRows(withNoFace, key).map((r) => r.filename)
    expect(sorted('fake-first')).toEqual(['one.jpg', 'three.jpg', 'grey.png', 'broken.jpg'])
    expect(sorted('real-first')).toEqual(['three.jpg', 'one.jpg', 'grey.png', 'broken.jpg'])
    expect(sorted('verdict')).toEqual(['one.jpg', 'three.jpg', 'grey.png', 'broken.jpg'])
  })

  it('does not change the rows it sorts', () => {
    const before = rows.map((r) => r.index)
    sortRows(rows, 'name')
    expect(rows.map((r) => r.index)).toEqual(before)
  })
})
