import { face, prediction } from '@/test/fixtures'
import { decidingFace, decidingFaceIndex } from './deciding-face'

describe('decidingFace', () => {
  it('is the face most likely fake, as the service decides', () => {
    const calm = face({ fake_probability: 0.1 })
    const suspicious = face({ fake_probability: 0.9 })
    expect(decidingFace(prediction({ faces: [calm, suspicious] }))).toBe(suspicious)
    expect(decidingFaceIndex(prediction({ faces: [calm, suspicious] }))).toBe(1)
  })

  it('keeps the first on a tie (Python max) and is absent without faces', () => {
    const a = face({ fake_probability: 0.5 })
    const b = face({ fake_probability: 0.5 })
    expect(decidingFace(prediction({ faces: [a, b] }))).toBe(a)
    expect(decidingFace(prediction({ faces: [] }))).toBeUndefined()
    expect(decidingFaceIndex(prediction({ faces: [] }))).toBe(-1)
  })
})
