import { act, renderHook, waitFor } from '@testing-library/react'
import type { ReactNode } from 'react'
import { InfoProvider } from '@/lib/info/info-context'
import { job, video } from '@/test/fixtures'
import { mockApi } from '@/test/mock-api'
import { imageFile } from '@/test/render'
import { useVideoJob } from './use-video-job'

/** A scriptable EventSource: tests send the events the service would. */
class FakeEventSource {
  static last: FakeEventSource | null = null
  listeners: Record<string, ((e: MessageEvent) => void)[]> = {}
  onerror: (() => void) | null = null
  closed = false
  url: string
  constructor(url: string) {
    this.url = url
    FakeEventSource.last = this
  }
  addEventListener(type: string, fn: (e: MessageEvent) => void) {
    ;(this.listeners[type] ??= []).push(fn)
  }
  close() {
    this.closed = true
  }
  emit(type: string, data: unknown) {
    for (const fn of this.listeners[type] ?? []) fn(new MessageEvent(type, { data: JSON.stringify(data) }))
  }
}

const wrapper = ({ children }: { children: ReactNode }) => <InfoProvider>{children}</InfoProvider>
const created = { job_id: 'j1', status: 'queued', status_url: '/api/jobs/j1', events_url: '/api/jobs/j1/events' }

describe('useVideoJob', () => {
  beforeEach(() => {
    FakeEventSource.last = null
    vi.stubGlobal('EventSource', FakeEventSource)
  })

  it('follows progress events to the result', async () => {
    const calls = mockApi({ 'POST /api/jobs/video': { status: 202, body: created } })
    const { result } = renderHook(() => useVideoJob(), { wrapper })
    await act(() => result.current.start(imageFile('clip.avi', 100, 'video/x-msvideo'), 16))
    expect(calls.find((c) => c.method === 'POST')?.url).toBe('/api/jobs/video?frames=16')
    const source = FakeEventSource.last as FakeEventSource
    expect(source.url).toBe('/api/jobs/j1/events')

    act(() => source.emit('progress', job({ progress: 0.25, stage: 'reading frames' })))
    expect(result.current.state).toMatchObject({ status: 'running', progress: 0.25, stage: 'reading frames' })

    act(() => source.emit('done', job({ status: 'done', progress: 1, stage: 'done', result: video() })))
    expect(result.current.state).toMatchObject({ status: 'done', result: { analysis_id: 'v1' } })
    expect(source.closed).toBe(true)
  })

  it('reports a failed job in plain words', async () => {
    mockApi({ 'POST /api/jobs/video': { status: 202, body: created } })
    const { result } = renderHook(() => useVideoJob(), { wrapper })
    await act(() => result.current.start(imageFile('clip.avi', 100, 'video/x-msvideo')))
    act(() =>
      FakeEventSource.last?.emit(
        'failed',
        job({ status: 'failed', error: { code: 'unreadable_video', detail: 'cannot open the video' } }),
      ),
    )
    expect(result.current.state).toMatchObject({
      status: 'failed',
      error: { title: 'We could not read “clip.avi”.', hint: 'cannot open the video' },
    })
  })

  it('falls back to polling when the event stream breaks', async () => {
    mockApi({
      'POST /api/jobs/video': { status: 202, body: created },
      'GET /api/jobs/j1': { body: job({ status: 'done', progress: 1, result: video() }) },
    })
    const { result } = renderHook(() => useVideoJob(), { wrapper })
    await act(() => result.current.start(imageFile('clip.avi', 100, 'video/x-msvideo')))
    act(() => FakeEventSource.last?.onerror?.())
    await waitFor(() => expect(result.current.state.status).toBe('done'))
  })
})
