import { apiRequest } from '@/lib/api-client'
import type { ModelInfo } from '@/lib/api-types'

/** GET /api/models: the loaded models with their cards, metrics and report figures. */
export function getModels(signal?: AbortSignal): Promise<ModelInfo[]> {
  return apiRequest<ModelInfo[]>('/api/models', { signal, timeoutMs: 15_000 })
}
