import { vi } from 'vitest'
import { info as defaultInfo } from './fixtures'

type Reply = { status?: number; body?: unknown } | ((call: Call) => Promise<Response> | Response)

export interface Call {
  method: string
  url: string
  body: FormData | null
  headers: Record<string, string>
}

/**
 * Replaces `fetch` with a table of answers: `"POST /api/predict": { body: ... }`.
 * GET /api/info answers with the fixture unless the table says otherwise. Returns the
 * calls made, for assertions.
 */
export function mockApi(routes: Record<string, Reply>): Call[] {
  const calls: Call[] = []
  const table: Record<string, Reply> = { 'GET /api/info': { body: defaultInfo }, ...routes }
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input)
      const method = init?.method ?? 'GET'
      const call: Call = {
        method,
        url,
        body: (init?.body as FormData | undefined) ?? null,
        headers: (init?.headers ?? {}) as Record<string, string>,
      }
      calls.push(call)
      const path = url.split('?')[0]
      const reply = table[`${method} ${url}`] ?? table[`${method} ${path}`]
      if (!reply) return json(404, { code: 'not_found', detail: `no mock for ${method} ${url}` })
      if (typeof reply === 'function') return reply(call)
      return reply.status === 204 ? new Response(null, { status: 204 }) : json(reply.status ?? 200, reply.body)
    }),
  )
  return calls
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}
