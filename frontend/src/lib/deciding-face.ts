import type { FaceResult, PredictionResponse } from './api-types'

/**
 * The face that decides a photo's verdict, as the service picks it (faceproof/predictor.py,
 * `predict_image`): the face with the highest combined fake probability; on a tie, the first
 * found. The photo's verdict, probability and stability are that face's: one face likely
 * fake is enough to flag the photo, whatever the others say.
 */
export function decidingFace(result: Pick<PredictionResponse, 'faces'>): FaceResult | undefined {
  return result.faces.reduce<FaceResult | undefined>(
    (top, face) => (top == null || face.fake_probability > top.fake_probability ? face : top),
    undefined,
  )
}

/** Its position (0-based) in `faces`, or -1 without faces. */
export function decidingFaceIndex(result: Pick<PredictionResponse, 'faces'>): number {
  const top = decidingFace(result)
  return top ? result.faces.indexOf(top) : -1
}
