import type { FaceResult, PredictionResponse } from './api-types'

/**
 * The face that decides a photo's verdict, as the service says (`deciding_face`): the
 * predictor (faceproof/predictor.py) picks it, the web app only reads it. The photo's
 * verdict, probability and stability are that face's.
 */
export function decidingFace(
  result: Pick<PredictionResponse, 'faces' | 'deciding_face'>,
): FaceResult | undefined {
  return decidingFaceIndex(result) >= 0 ? result.faces[result.deciding_face as number] : undefined
}

/** Its position (0-based) in `faces`, or -1 when there is none (NO_FACE). */
export function decidingFaceIndex(result: Pick<PredictionResponse, 'faces' | 'deciding_face'>): number {
  const index = result.deciding_face
  return index != null && index >= 0 && index < result.faces.length ? index : -1
}
