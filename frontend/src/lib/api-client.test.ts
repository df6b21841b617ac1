import { ApiError, apiUrl, call, client, multipart, setApiKey } from './api-client'
import { json, mockApi } from '@/test/mock-api'

const models = (options: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
  call((signal) => client.GET('/api/models', { signal }), options)

const hangingFetch = () =>
  vi.fn(
    (_: string, init: RequestInit) =>
      new Promise((_resolve, reject) =>
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      ),
  )

describe('the typed client', () => {
  afterEach(() => setApiKey(null))

  it('returns the JSON body of a successful answer', async () => {
    mockApi({ 'GET /api/health': { body: { status: 'ok' } } })
    await expect(call((signal) => client.GET('/api/health', { signal }))).resolves.toEqual({ status: 'ok' })
  })

  it('fills path parameters and the query string from the typed params', async () => {
    const calls = mockApi({
      'GET /api/history/a%2Fb': { body: { id: 'a/b' } },
      'GET /api/history': { body: { items: [] } },
    })
    await call((signal) => client.GET('/api/history/{analysis_id}', { params: { path: { analysis_id: 'a/b' } }, signal }))
    await call((signal) =>
      client.GET('/api/history', { params: { query: { page: 2, page_size: 10, q: undefined } }, signal }),
    )
    expect(calls.map((c) => c.url)).toEqual(['/api/history/a%2Fb', '/api/history?page=2&page_size=10'])
  })

  it('sends a multipart body as FormData, checked against the schema', async () => {
    const calls = mockApi({ 'POST /api/predict': { body: { ok: true } } })
    const file = new File([new Uint8Array(3)], 'a.jpg', { type: 'image/jpeg' })
    const body = multipart('/api/predict', {
      file,
      models: undefined,
      tta: true,
      explain: false,
      whole_image: false,
      stability: false,
    })
    await call((signal) => client.POST('/api/predict', { body, signal }))
    const sent = calls[0]?.body
    expect(sent).toBeInstanceOf(FormData)
    expect((sent?.get('file') as File).name).toBe('a.jpg')
    expect(sent?.get('tta')).toBe('true')
    expect(sent?.has('models')).toBe(false)
    expect(calls[0]?.headers['content-type']).toBeUndefined() // the browser sets the boundary
  })

  it('turns an error answer into an ApiError with the service code', async () => {
    mockApi({
      'POST /api/predict/batch': { status: 413, body: { code: 'file_too_large', detail: 'too big' } },
    })
    const body = multipart('/api/predict/batch', { files: [], tta: false, whole_image: false, stability: false })
    const error = await call((signal) => client.POST('/api/predict/batch', { body, signal })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 413, code: 'file_too_large', detail: 'too big' })
  })

  it('keeps the status when the error body is not JSON', async () => {
    mockApi({ 'GET /api/models': () => new Response('<html>bad gateway</html>', { status: 502 }) })
    await expect(models()).rejects.toMatchObject({ code: 'http_502', status: 502 })
  })

  it('reports a network failure as network_error', async () => {
    mockApi({ 'GET /api/models': () => Promise.reject(new TypeError('Failed to fetch')) })
    await expect(models()).rejects.toMatchObject({ code: 'network_error', status: 0 })
  })

  it('reports a success that is not JSON as bad_response', async () => {
    mockApi({ 'GET /api/models': () => new Response('<html>a proxy page</html>', { status: 200 }) })
    await expect(models()).rejects.toMatchObject({ code: 'bad_response' })
  })

  it('gives up after the timeout with the code timeout', async () => {
    vi.stubGlobal('fetch', hangingFetch())
    await expect(models({ timeoutMs: 20 })).rejects.toMatchObject({ code: 'timeout' })
  })

  it('rejects with an AbortError when the caller cancels', async () => {
    vi.stubGlobal('fetch', hangingFetch())
    const controller = new AbortController()
    const pending = models({ signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('answers undefined for 204 No Content', async () => {
    mockApi({ 'DELETE /api/history/x': { status: 204 } })
    await expect(
      call((signal) => client.DELETE('/api/history/{analysis_id}', { params: { path: { analysis_id: 'x' } }, signal })),
    ).resolves.toBeUndefined()
  })

  it('sends the API key once one is saved, read at each call', async () => {
    const calls = mockApi({ 'GET /api/models': { body: [] } })
    await models()
    setApiKey('secret')
    await models()
    expect(calls[0]?.headers['X-API-Key']).toBeUndefined()
    expect(calls[1]?.headers['X-API-Key']).toBe('secret')
    expect(calls[1]?.headers.Accept).toBe('application/json')
  })

  it('reads a blob when asked', async () => {
    mockApi({ 'GET /api/history/r/report': () => new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } }) })
    const blob = await call((signal) =>
      client.GET('/api/history/{analysis_id}/report', { params: { path: { analysis_id: 'r' } }, parseAs: 'blob', signal }),
    )
    expect(await blob.text()).toBe('<!doctype html>')
  })

  it('builds query strings without empty values', () => {
    expect(apiUrl('/api/history', { page: 2, prediction: undefined, x: '' })).toBe('/api/history?page=2')
    expect(apiUrl('/api/models')).toBe('/api/models')
  })

  it('handles a json() helper answer', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(200, [1, 2])))
    await expect(models()).resolves.toEqual([1, 2])
  })
})
