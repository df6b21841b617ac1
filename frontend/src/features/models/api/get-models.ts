import { call, client } from '@/lib/api-client'
import type { ModelInfo } from '@/lib/api-types'

/** GET /api/models: the loaded models with their cards, metrics and report figures. */
export function getModels(signal?: AbortSignal): Promise<ModelInfo[]> {
  return call((s) => client.GET('/api/models', { signal: s }), { signal, timeoutMs: 15_000 })
}
