import { vi } from 'vitest'
import { info as defaultInfo } from './fixtures'

type Reply =
  | { status?: number; body?: unknown; events?: unknown[] }
  | ((call: Call) => Promise<Response> | Response)

export interface Call {
  method: string
  url: string
  body: FormData | null
  headers: Record<string, string>
}

/**
 * Replaces `fetch` with a table of answers: `"POST /api/predict": { body: ... }`.
 * GET /api/info answers with the fixture unless the table says otherwise. `events`: a JSON
 * Lines answer. POST /api/predict/stream, unless the table names it, answers as the table's
 * POST /api/predict: a success as a stream of its one `done` event, anything else as it is.
 * Returns the calls made, for assertions.
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
      let reply = table[`${method} ${url}`] ?? table[`${method} ${path}`]
      if (!reply && `${method} ${path}` === 'POST /api/predict/stream') {
        const plain = table['POST /api/predict']
        reply =
          plain && typeof plain !== 'function' && (plain.status ?? 200) < 300
            ? { events: [{ event: 'done', result: plain.body }] }
            : plain
      }
      if (!reply) return json(404, { code: 'not_found', detail: `no mock for ${method} ${url}` })
      if (typeof reply === 'function') return reply(call)
      if (reply.events) return jsonLines(reply.events)
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

export function jsonLines(events: unknown[]): Response {
  const text = events.map((e) => `${JSON.stringify(e)}\n`).join('')
  return new Response(text, { status: 200, headers: { 'Content-Type': 'application/jsonl' } })
}
