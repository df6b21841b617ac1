import { call, client, multipart } from '@/lib/api-client'
import type { BatchResponse } from '@/lib/api-types'

export interface PredictBatchInput {
  files: File[]
  models?: string[]
  tta?: boolean
  signal?: AbortSignal
}

/** POST /api/predict/batch: many images; one bad file never fails the rest. */
export function predictBatch({ files, models, tta = false, signal }: PredictBatchInput): Promise<BatchResponse> {
  const body = multipart(
    '/api/predict/batch',
    {
      files,
      models: models && models.length > 0 ? models.join(',') : undefined,
      tta,
      whole_image: false,
      stability: false,
    },
    (file, i) => file.name || `image-${i + 1}.png`,
  )
  return call((s) => client.POST('/api/predict/batch', { body, signal: s }), {
    signal,
    // a few seconds per image on a busy CPU, plus the upload
    timeoutMs: 60_000 + files.length * 15_000,
  })
}
