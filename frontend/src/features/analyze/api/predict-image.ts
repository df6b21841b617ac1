import { call, client, multipart } from '@/lib/api-client'
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
  const body = multipart(
    '/api/predict',
    {
      file,
      models: models && models.length > 0 ? models.join(',') : undefined,
      tta,
      explain,
      whole_image: wholeImage,
      stability,
    },
    (f) => f.name || 'pasted-image.png',
  )
  return call((s) => client.POST('/api/predict', { body, signal: s }), { signal, timeoutMs: 120_000 })
}
