import { apiRequest } from '@/lib/api-client'
import type { BatchResponse } from '@/lib/api-types'

export interface PredictBatchInput {
  files: File[]
  models?: string[]
  tta?: boolean
  signal?: AbortSignal
}

/** POST /api/predict/batch: many images; one bad file never fails the rest. */
export function predictBatch({ files, models, tta = false, signal }: PredictBatchInput): Promise<BatchResponse> {
  const body = new FormData()
  files.forEach((file, i) => body.append('files', file, file.name || `image-${i + 1}.png`))
  if (models && models.length > 0) body.append('models', models.join(','))
  body.append('tta', String(tta))
  return apiRequest<BatchResponse>('/api/predict/batch', {
    method: 'POST',
    body,
    signal,
    // a few seconds per image on a busy CPU, plus the upload
    timeoutMs: 60_000 + files.length * 15_000,
  })
}
