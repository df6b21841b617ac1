import { ApiError, call, client, multipart } from '@/lib/api-client'
import type { PhotoDone, PhotoFailed, PhotoProgress, PredictionResponse } from '@/lib/api-types'

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

type PhotoEvent = PhotoProgress | PhotoDone | PhotoFailed

/**
 * POST /api/predict/stream: the same analysis as POST /api/predict, its stages told to
 * `onProgress` as the service reports them (JSON Lines), answering the same result. A refused
 * file is a plain error answer (an ApiError); a failure during the analysis
 * ends the stream with its error, thrown as the same ApiError.
 */
export async function streamImageAnalysis(
  { file, models, tta = false, explain = false, wholeImage = false, stability = false, signal }: PredictImageInput,
  onProgress: (step: PhotoProgress) => void,
): Promise<PredictionResponse> {
  const body = multipart(
    '/api/predict/stream',
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
  const last = await call<PhotoDone | PhotoFailed>(
    async (s) => {
      const answer = await client.POST('/api/predict/stream', {
        body,
        signal: s,
        parseAs: 'stream',
        headers: { Accept: 'application/jsonl' },
      })
      if (!answer.response.ok || !answer.data) return answer as never
      return { data: await readEvents(answer.data as ReadableStream<BufferSource>, onProgress), response: answer.response }
    },
    { signal, timeoutMs: 120_000 },
  )
  if (last.event === 'failed') throw new ApiError(last.status, last.error.code, last.error.detail)
  return last.result
}

async function readEvents(
  stream: ReadableStream<BufferSource>,
  onProgress: (step: PhotoProgress) => void,
): Promise<PhotoDone | PhotoFailed> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader()
  let pending = ''
  for (;;) {
    const { value, done } = await reader.read()
    pending += value ?? ''
    const lines = pending.split('\n')
    pending = done ? '' : (lines.pop() ?? '')
    for (const line of lines) {
      if (!line.trim()) continue
      const event = JSON.parse(line) as PhotoEvent
      if (event.event === 'progress') onProgress(event)
      else return event
    }
    // cut short: the answer says nothing of a result (caught by `call` as bad_response)
    if (done) throw new SyntaxError('the analysis stream ended without a result')
  }
}
