import { useCallback, useEffect, useState } from 'react'
import { isAbortError } from './api-client'

export interface AsyncState<T> {
  status: 'loading' | 'success' | 'error'
  /** the last data loaded: kept while a new call runs, so lists do not blink */
  data?: T
  error?: unknown
}

interface Settled<T> {
  /** which call (key and reload count) this outcome belongs to */
  token: string
  data?: T
  error?: unknown
  failed: boolean
}

/**
 * Runs `load` when `key` changes (and on `reload()`), cancelling the previous call.
 * Enough for the read-only screens (history, models, info); no cache needed.
 */
export function useAsync<T>(
  load: (signal: AbortSignal) => Promise<T>,
  key: string,
): AsyncState<T> & { reload: () => void } {
  const [generation, setGeneration] = useState(0)
  const [settled, setSettled] = useState<Settled<T> | null>(null)
  const [lastData, setLastData] = useState<T | undefined>(undefined)
  const token = `${generation}|${key}`

  useEffect(() => {
    const controller = new AbortController()
    load(controller.signal).then(
      (data) => {
        setSettled({ token, data, failed: false })
        setLastData(data)
      },
      (error: unknown) => {
        if (!isAbortError(error)) setSettled({ token, error, failed: true })
      },
    )
    return () => controller.abort()
    // `load` is a new closure each render; `token` says when the call really changes
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [token])

  const reload = useCallback(() => setGeneration((g) => g + 1), [])
  if (settled?.token !== token) return { status: 'loading', data: lastData, reload }
  if (settled.failed) return { status: 'error', error: settled.error, reload }
  return { status: 'success', data: settled.data, reload }
}
