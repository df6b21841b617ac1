import type { FaceResult, HistoryItem, Keyframe } from '@/lib/api-types'

const VERDICTS = new Set(['FAKE', 'REAL', 'UNCERTAIN'])

/** The faces as the live page showed them, from the per-face summary and the crops and
 * heatmaps the history kept (`details.crops`, `details.heatmaps`); none for a record made
 * before crops were kept. */
export function keptFaces(item: HistoryItem): FaceResult[] {
  const crops = item.details.crops
  if (!Array.isArray(crops)) return []
  const heatmaps = Array.isArray(item.details.heatmaps) ? item.details.heatmaps : []
  return item.faces.flatMap((raw, i) => {
    const f = raw as Partial<FaceResult> & { box?: FaceResult['box'] }
    const thumbnail = crops[i]
    if (typeof thumbnail !== 'string' || !thumbnail.startsWith('data:image/')) return []
    if (typeof f.fake_probability !== 'number' || !VERDICTS.has(String(f.prediction))) return []
    const maps = heatmaps[i] as Record<string, string> | null | undefined
    return [
      {
        box: f.box ?? { x: 0, y: 0, width: 0, height: 0 },
        detection_score: 0,
        fake_probability: f.fake_probability,
        prediction: f.prediction as FaceResult['prediction'],
        confidence: Math.max(f.fake_probability, 1 - f.fake_probability),
        model_probabilities: f.model_probabilities ?? {},
        thumbnail,
        heatmaps: maps && typeof maps === 'object' ? maps : null,
      },
    ]
  })
}

/** The keyframes a video's record kept (`details.keyframes`). */
export function keptKeyframes(item: HistoryItem): Keyframe[] {
  const raw = item.details.keyframes
  if (!Array.isArray(raw)) return []
  return raw.filter(
    (k): k is Keyframe =>
      !!k &&
      typeof k.frame === 'number' &&
      typeof k.time_s === 'number' &&
      typeof k.fake_probability === 'number' &&
      typeof k.thumbnail === 'string' &&
      k.thumbnail.startsWith('data:image/'),
  )
}
