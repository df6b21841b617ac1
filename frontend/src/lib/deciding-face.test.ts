import { face, prediction } from '@/test/fixtures'
import { decidingFace, decidingFaceIndex } from './deciding-face'

describe('decidingFace', () => {
  it('is the face the service names, whatever the scores say', () => {
    const calm = face({ fake_probability: 0.1 })
    const suspicious = face({ fake_probability: 0.9 })
    // the service owns the rule: the web app never picks another face
    expect(decidingFace(prediction({ faces: [calm, suspicious], deciding_face: 0 }))).toBe(calm)
    expect(decidingFaceIndex(prediction({ faces: [calm, suspicious], deciding_face: 1 }))).toBe(1)
  })

  it('is absent when the service names none', () => {
    expect(decidingFace(prediction({ faces: [], deciding_face: null }))).toBeUndefined()
    expect(decidingFaceIndex(prediction({ faces: [], deciding_face: null }))).toBe(-1)
  })
})
