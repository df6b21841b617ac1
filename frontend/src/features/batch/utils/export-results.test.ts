import { batch, noFacePrediction } from '@/test/fixtures'
import { batchRows } from './batch-rows'
import { responseToJson, rowsToCsv } from './export-results'

describe('rowsToCsv', () => {
  it('writes a header and one line per file, in upload order', () => {
    const lines = rowsToCsv(batchRows(batch())).trimEnd().split('\r\n')
    expect(lines[0]).toBe(
      'index,filename,status,prediction,fake_probability,faces,face_detected,models,processing_time_ms,error_code,error_detail',
    )
    expect(lines).toHaveLength(4)
    expect(lines[1]).toBe('0,one.jpg,ok,FAKE,0.973,1,true,fake_a real_c,226.8,,')
    expect(lines[2]).toBe('1,broken.jpg,failed,,,,,,,undecodable_image,Not an image in a supported format')
    // the one number is the probability of fake: 0.1 for the REAL file, not its 0.9 confidence
    expect(lines[3]).toBe('2,three.jpg,ok,REAL,0.1,1,true,fake_a real_c,226.8,,')
  })

  it('quotes commas and quotes, and defuses spreadsheet formulas', () => {
    const response = batch()
    response.errors[0] = { index: 1, filename: '=HYPERLINK("x")', code: 'c', detail: 'a, "b"' }
    const line = rowsToCsv(batchRows(response)).split('\r\n')[2]
    expect(line).toBe(`1,"'=HYPERLINK(""x"")",failed,,,,,,,c,"a, ""b"""`)
  })

  it('writes a file with no face as NO_FACE, with no probability', () => {
    const response = batch()
    response.results.push(noFacePrediction({ filename: 'grey.png' }))
    response.summary = { ...response.summary, total: 4, no_face: 1 }
    const line = rowsToCsv(batchRows(response)).trimEnd().split('\r\n')[4]
    expect(line).toBe('3,grey.png,ok,NO_FACE,,0,false,fake_a real_c,226.8,,')
  })
})

describe('responseToJson', () => {
  it('keeps the numbers and drops the images', () => {
    const parsed = JSON.parse(responseToJson(batch()))
    expect(parsed.summary.total).toBe(3)
    expect(parsed.results[0].faces[0].thumbnail).toBeUndefined()
    expect(parsed.results[0].faces[0].heatmaps).toBeUndefined()
    expect(parsed.results[0].faces[0].fake_probability).toBe(0.973)
    expect(parsed.errors[0].code).toBe('undecodable_image')
  })

  it('keeps a NO_FACE result and the no_face count, with null probabilities', () => {
    const response = batch()
    response.results.push(noFacePrediction({ filename: 'grey.png' }))
    response.summary = { ...response.summary, total: 4, no_face: 1 }
    const parsed = JSON.parse(responseToJson(response))
    expect(parsed.summary.no_face).toBe(1)
    expect(parsed.results[2]).toMatchObject({ prediction: 'NO_FACE', fake_probability: null, faces: [] })
  })
})
