import { batch } from '@/test/fixtures'
import { batchRows } from './batch-rows'
import { responseToJson, rowsToCsv } from './export-results'

describe('rowsToCsv', () => {
  it('writes a header and one line per file, in upload order', () => {
    const lines = rowsToCsv(batchRows(batch())).trimEnd().split('\r\n')
    expect(lines[0]).toBe(
      'index,filename,status,prediction,confidence,fake_probability,faces,face_detected,models,processing_time_ms,error_code,error_detail',
    )
    expect(lines).toHaveLength(4)
    expect(lines[1]).toMatch(/^0,one\.jpg,ok,FAKE,0\.973,0\.973,1,true,fake_a real_c,226\.8,,$/)
    expect(lines[2]).toBe('1,broken.jpg,failed,,,,,,,,undecodable_image,Not an image in a supported format')
  })

  it('quotes commas and quotes, and defuses spreadsheet formulas', () => {
    const response = batch()
    response.errors[0] = { index: 1, filename: '=HYPERLINK("x")', code: 'c', detail: 'a, "b"' }
    const line = rowsToCsv(batchRows(response)).split('\r\n')[2]
    expect(line).toBe(`1,"'=HYPERLINK(""x"")",failed,,,,,,,,c,"a, ""b"""`)
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
})
