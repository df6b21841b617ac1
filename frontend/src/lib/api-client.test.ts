import { ApiError, apiRequest, apiUrl, setApiKey } from './api-client'
import { json, mockApi } from '@/test/mock-api'

describe('apiRequest', () => {
  it('returns the JSON body of a successful answer', async () => {
    mockApi({ 'GET /api/health': { body: { status: 'ok' } } })
    await expect(apiRequest('/api/health')).resolves.toEqual({ status: 'ok' })
  })

  it('turns an error answer into an ApiError with the service code', async () => {
    mockApi({
      'POST /api/predict': { status: 413, body: { code: 'file_too_large', detail: 'too big' } },
    })
    const error = await apiRequest('/api/predict', { method: 'POST' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 413, code: 'file_too_large', detail: 'too big' })
  })

  it('keeps the status when the error body is not JSON', async () => {
    mockApi({ 'GET /api/models': () => new Response('<html>bad gateway</html>', { status: 502 }) })
    await expect(apiRequest('/api/models')).rejects.toMatchObject({ code: 'http_502' })
  })

  it('reports a network failure as network_error', async () => {
    mockApi({ 'GET /api/models': () => Promise.reject(new TypeError('Failed to fetch')) })
    await expect(apiRequest('/api/models')).rejects.toMatchObject({ code: 'network_error', status: 0 })
  })

  it('gives up after the timeout with the code timeout', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        (_: string, init: RequestInit) =>
          new Promise((_resolve, reject) =>
            init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
          ),
      ),
    )
    await expect(apiRequest('/api/models', { timeoutMs: 20 })).rejects.toMatchObject({ code: 'timeout' })
  })

  it('rejects with an AbortError when the caller cancels', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        (_: string, init: RequestInit) =>
          new Promise((_resolve, reject) =>
            init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
          ),
      ),
    )
    const controller = new AbortController()
    const pending = apiRequest('/api/models', { signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('answers undefined for 204 No Content', async () => {
    mockApi({ 'DELETE /api/history/x': { status: 204 } })
    await expect(apiRequest('/api/history/x', { method: 'DELETE' })).resolves.toBeUndefined()
  })

  it('sends the API key once one is saved', async () => {
    const calls = mockApi({ 'GET /api/models': { body: [] } })
    setApiKey('secret')
    await apiRequest('/api/models')
    expect(calls[0]?.headers['X-API-Key']).toBe('secret')
  })

  it('builds query strings without empty values', () => {
    expect(apiUrl('/api/history', { page: 2, prediction: undefined, x: '' })).toBe('/api/history?page=2')
    expect(apiUrl('/api/models')).toBe('/api/models')
  })

  it('handles a json() helper answer', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(200, [1, 2])))
    await expect(apiRequest('/api/x')).resolves.toEqual([1, 2])
  })
})
