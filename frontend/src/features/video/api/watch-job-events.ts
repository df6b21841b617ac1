import { apiUrl } from '@/lib/api-client'
import type { JobStatus } from '@/lib/api-types'

export interface JobEventHandlers {
  /** a `progress` event (the status without its result) */
  onProgress: (status: JobStatus) => void
  /** the final `done` or `failed` event, with the full status */
  onFinished: (status: JobStatus) => void
  /** the stream broke before the end: the caller falls back to polling */
  onBroken: () => void
}

/** GET /api/jobs/{id}/events (Server-Sent Events). Returns a function that stops watching. */
export function watchJobEvents(eventsUrl: string, handlers: JobEventHandlers): () => void {
  const source = new EventSource(apiUrl(eventsUrl))
  let finished = false
  const parse = (event: MessageEvent<string>): JobStatus | null => {
    try {
      return JSON.parse(event.data) as JobStatus
    } catch {
      return null
    }
  }
  source.addEventListener('progress', (event) => {
    const status = parse(event as MessageEvent<string>)
    if (status) handlers.onProgress(status)
  })
  const finish = (event: Event) => {
    const status = parse(event as MessageEvent<string>)
    if (!status || finished) return
    finished = true
    source.close()
    handlers.onFinished(status)
  }
  source.addEventListener('done', finish)
  source.addEventListener('failed', finish)
  source.onerror = () => {
    // EventSource would reconnect forever; one clean fallback is better
    if (finished) return
    finished = true
    source.close()
    handlers.onBroken()
  }
  return () => {
    finished = true
    source.close()
  }
}
