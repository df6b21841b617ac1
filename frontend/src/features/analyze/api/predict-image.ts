import { apiRequest } from '@/lib/api-client'
import type { PredictionResponse } from '@/lib/api-types'

export interface PredictImageInput {
  file: File
  /** model names; empty or absent: every loaded model */
  models?: string[]
  tta?: boolean
  /** ask for Grad-CAM heatmaps */
  explain?: boolean
  /** with no face found, score the whole image as a face crop instead of answering NO_FACE */
  wholeImage?: boolean
  /** re-score each face under benign changes (JPEG 50, half size, noise) */
  stability?: boolean
  signal?: AbortSignal
}

/** POST /api/predict: one image, every face scored. */
export function predictImage({
  file,
  models,
  tta = false,
  explain = false,
  wholeImage = false,
  stability = false,
  signal,
}: PredictImageInput): Promise<PredictionResponse> {
  const body = new FormData()
  body.append('file', file, file.name || 'pasted-image.png')
  if (models && models.length > 0) body.append('models', models.join(','))
  body.append('tta', String(tta))
  body.append('explain', String(explain))
  body.append('whole_image', String(wholeImage))
  body.append('stability', String(stability))
  return apiRequest<PredictionResponse>('/api/predict', {
    method: 'POST',
    body,
    signal,
    timeoutMs: 120_000,
  })
}
