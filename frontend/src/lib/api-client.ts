/**
 * The one API client: every call to the backend goes through `apiRequest`.
 *
 * It adds the optional API key, applies a timeout, and turns every failure into an
 * `ApiError` with a stable `code`: the backend's own (`file_too_large`, ...) for a 4xx/5xx
 * answer, `network_error` when the service cannot be reached, `timeout` when it is too slow.
 */

const API_KEY_STORAGE = 'faceproof.apiKey'
export const DEFAULT_TIMEOUT_MS = 60_000

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly detail: string

  constructor(status: number, code: string, detail: string) {
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.detail = detail
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE'
  query?: Query
  body?: FormData
  /** milliseconds before the call fails with the code `timeout` */
  timeoutMs?: number
  /** aborting it rejects with an AbortError (not an ApiError): the caller gave up */
  signal?: AbortSignal
  /** how to read a successful answer: JSON (the default) or the raw bytes as a Blob */
  as?: 'json' | 'blob'
}

export function getApiKey(): string | null {
  try {
    return window.localStorage.getItem(API_KEY_STORAGE)
  } catch {
    return null
  }
}

export function setApiKey(key: string | null): void {
  try {
    if (key) window.localStorage.setItem(API_KEY_STORAGE, key)
    else window.localStorage.removeItem(API_KEY_STORAGE)
  } catch {
    // storage blocked (private mode): the key lasts until the page is closed
  }
}

/** The URL of an API path with its query string (for fetch, EventSource or an <img>). */
export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const search = params.toString()
  return search ? `${path}?${search}` : path
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError'
}

async function errorFrom(response: Response): Promise<ApiError> {
  let code = `http_${response.status}`
  let detail = response.statusText || `HTTP ${response.status}`
  try {
    const body: unknown = await response.json()
    if (body && typeof body === 'object') {
      const { code: c, detail: d } = body as { code?: unknown; detail?: unknown }
      if (typeof c === 'string') code = c
      if (typeof d === 'string') detail = d
    }
  } catch {
    // not JSON (a proxy's HTML error page): keep the status
  }
  return new ApiError(response.status, code, detail)
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', query, body, timeoutMs = DEFAULT_TIMEOUT_MS, signal, as = 'json' } = options
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, timeoutMs)
  const forwardAbort = () => controller.abort()
  if (signal?.aborted) controller.abort()
  signal?.addEventListener('abort', forwardAbort, { once: true })

  const headers: Record<string, string> = { Accept: as === 'json' ? 'application/json' : '*/*' }
  const key = getApiKey()
  if (key) headers['X-API-Key'] = key

  try {
    let response: Response
    try {
      response = await fetch(apiUrl(path, query), {
        method,
        body,
        headers,
        signal: controller.signal,
      })
    } catch (error) {
      if (timedOut) throw new ApiError(0, 'timeout', `no answer within ${timeoutMs / 1000} s`)
      if (signal?.aborted) throw new DOMException('the request was cancelled', 'AbortError')
      throw new ApiError(0, 'network_error', error instanceof Error ? error.message : 'offline')
    }
    if (!response.ok) throw await errorFrom(response)
    if (response.status === 204) return undefined as T
    try {
      return (as === 'blob' ? await response.blob() : await response.json()) as T
    } catch (error) {
      if (timedOut) throw new ApiError(0, 'timeout', `no answer within ${timeoutMs / 1000} s`)
      if (signal?.aborted) throw new DOMException('the request was cancelled', 'AbortError')
      throw new ApiError(response.status, 'bad_response', String(error))
    }
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', forwardAbort)
  }
}
