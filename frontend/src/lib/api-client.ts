/**
 * The one API client: every call to the backend goes through `client` (openapi-fetch over
 * the generated `paths` of api-schema.ts, so paths, parameters and answers are typed by the
 * backend's OpenAPI schema) and `call`, which applies a timeout and turns every failure into
 * an `ApiError` with a stable `code`: the backend's own (`file_too_large`, ...) for a 4xx/5xx
 * answer, `network_error` when the service cannot be reached, `timeout` when it is too slow.
 * The transport adds the optional API key to every request.
 *
 *     call((signal) => client.GET('/api/history/{analysis_id}', {
 *       params: { path: { analysis_id: id } }, signal }), { timeoutMs: 15_000 })
 */
import createClient from 'openapi-fetch'
import type { paths } from './api-schema'

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

/** The URL of an API path with its query string (for EventSource or an <img>, which cannot
 * go through the client). */
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

/**
 * The request openapi-fetch builds, kept as the URL and options it was made of. A native
 * Request would turn a FormData body into a stream at once (and, under jsdom, refuse jsdom's
 * FormData); the transport below hands the parts to `fetch` as they are.
 */
class PlainRequest {
  readonly url: string
  readonly method: string
  readonly headers: Headers
  readonly body: BodyInit | null
  readonly signal: AbortSignal | null

  constructor(url: string, init: RequestInit = {}) {
    this.url = url
    this.method = init.method ?? 'GET'
    this.headers = new Headers(init.headers)
    this.body = init.body ?? null
    this.signal = init.signal ?? null
  }
}

/** Sends one request with the API key (read at each call: it can change at any time). */
function transport(request: Request): Promise<Response> {
  const { url, method, headers: given, body, signal } = request as unknown as PlainRequest
  const headers: Record<string, string> = { Accept: 'application/json' }
  given.forEach((value, name) => {
    headers[name.toLowerCase() === 'accept' ? 'Accept' : name] = value
  })
  const key = getApiKey()
  if (key) headers['X-API-Key'] = key
  // the global fetch at call time (tests replace it)
  return globalThis.fetch(url, { method, headers, body, signal: signal ?? undefined })
}

/** The typed client: `client.GET('/api/models')`, `client.POST('/api/predict', ...)`. */
export const client = createClient<paths>({
  fetch: transport,
  Request: PlainRequest as unknown as typeof Request,
  // a multipart body is built as FormData by `multipart` below, and sent as it is
  bodySerializer: (body: unknown) => body as BodyInit,
})

export interface CallOptions {
  /** milliseconds before the call fails with the code `timeout` */
  timeoutMs?: number
  /** aborting it rejects with an AbortError (not an ApiError): the caller gave up */
  signal?: AbortSignal
}

/** What openapi-fetch answers: the data of a success or the (parsed) body of an error. */
export interface Answer<T> {
  data?: T
  error?: unknown
  response: Response
}

function errorFrom(response: Response, body: unknown): ApiError {
  let code = `http_${response.status}`
  let detail = response.statusText || `HTTP ${response.status}`
  if (body && typeof body === 'object') {
    const { code: c, detail: d } = body as { code?: unknown; detail?: unknown }
    if (typeof c === 'string') code = c
    if (typeof d === 'string') detail = d
  }
  // not JSON (a proxy's HTML error page): keep the status
  return new ApiError(response.status, code, detail)
}

/**
 * Runs one client call with a timeout and the caller's signal, and answers its data or
 * throws an ApiError (an AbortError when the caller cancelled).
 */
export async function call<T>(
  run: (signal: AbortSignal) => Promise<Answer<T>>,
  { timeoutMs = DEFAULT_TIMEOUT_MS, signal }: CallOptions = {},
): Promise<T> {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, timeoutMs)
  const forwardAbort = () => controller.abort()
  if (signal?.aborted) controller.abort()
  signal?.addEventListener('abort', forwardAbort, { once: true })

  try {
    let answer: Answer<T>
    try {
      answer = await run(controller.signal)
    } catch (error) {
      if (timedOut) throw new ApiError(0, 'timeout', `no answer within ${timeoutMs / 1000} s`)
      if (signal?.aborted) throw new DOMException('the request was cancelled', 'AbortError')
      // a success whose body is not what it says (JSON that does not parse)
      if (error instanceof SyntaxError) throw new ApiError(0, 'bad_response', String(error))
      throw new ApiError(0, 'network_error', error instanceof Error ? error.message : 'offline')
    }
    if (!answer.response.ok) throw errorFrom(answer.response, answer.error)
    return answer.data as T // 204 No Content: undefined, as the schema says
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', forwardAbort)
  }
}

/** The multipart body of an operation, as the schema describes it. */
type MultipartBody<P extends keyof paths> = paths[P] extends {
  post: { requestBody: { content: { 'multipart/form-data': infer B } } }
}
  ? B
  : never

/** Its fields as the browser sends them: a `binary` field (typed `string` by the schema) is
 * a File, a list of them a list of Files; other values are sent as text. */
type FormFields<B> = {
  [K in keyof B]: B[K] extends string[] ? File[] : B[K] extends string ? File | B[K] : B[K]
}

/**
 * A multipart body for POST `path`, checked against the schema's field names and types:
 * `multipart('/api/predict', { file, tta: true, ... })`. Booleans and numbers are sent as
 * text, lists of files as repeated fields, null and undefined not at all.
 */
export function multipart<P extends keyof paths>(
  _path: P,
  fields: FormFields<MultipartBody<P>>,
  filenames: (file: File, index: number) => string = (file) => file.name,
): MultipartBody<P> {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields as Record<string, unknown>)) {
    if (value === undefined || value === null) continue
    if (Array.isArray(value)) value.forEach((file: File, i) => form.append(name, file, filenames(file, i)))
    else if (value instanceof File) form.append(name, value, filenames(value, 0))
    else form.append(name, String(value))
  }
  // sent as it is by the client's bodySerializer
  return form as unknown as MultipartBody<P>
}
