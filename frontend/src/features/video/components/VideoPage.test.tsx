import { act, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { job, video } from '@/test/fixtures'
import { mockApi } from '@/test/mock-api'
import { imageFile, renderApp } from '@/test/render'
import { VideoPage } from './VideoPage'

class FakeEventSource {
  static last: FakeEventSource
  listeners: Record<string, ((e: MessageEvent) => void)[]> = {}
  onerror: (() => void) | null = null
  url: string
  constructor(url: string) {
    this.url = url
    FakeEventSource.last = this
  }
  addEventListener(type: string, fn: (e: MessageEvent) => void) {
    ;(this.listeners[type] ??= []).push(fn)
  }
  close() {}
  emit(type: string, data: unknown) {
    for (const fn of this.listeners[type] ?? []) fn(new MessageEvent(type, { data: JSON.stringify(data) }))
  }
}

describe('VideoPage', () => {
  it('moves the progress bar with the job events, then shows the result', async () => {
    vi.stubGlobal('EventSource', FakeEventSource)
    mockApi({
      'POST /api/jobs/video': {
        status: 202,
        body: { job_id: 'j1', status: 'queued', status_url: '/api/jobs/j1', events_url: '/api/jobs/j1/events' },
      },
    })
    renderApp(<VideoPage />)
    await userEvent.upload(
      document.querySelector('input[type=file]') as HTMLInputElement,
      imageFile('clip.avi', 100, 'video/x-msvideo'),
    )
    const bar = await screen.findByRole('progressbar')
    act(() => FakeEventSource.last.emit('progress', job({ progress: 0.4, stage: 'scoring faces' })))
    expect(bar).toHaveAttribute('aria-valuenow', '40')
    expect(screen.getByText('Analysing: scoring faces')).toBeInTheDocument()

    act(() => FakeEventSource.last.emit('done', job({ status: 'done', progress: 1, result: video() })))
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100')
    expect(screen.getByRole('status')).toHaveTextContent('Fake – 80.0%')
    expect(screen.getByTestId('timeline')).toBeInTheDocument()
    expect(screen.getByTestId('threshold-line')).toBeInTheDocument()
    expect(screen.getAllByTestId('keyframe')).toHaveLength(1)
    expect(screen.getByText('75 %')).toBeInTheDocument()
    expect(screen.getByTestId('side-glow')).toHaveAttribute('data-side', 'left')
  })

  it('refuses a video over the limit', async () => {
    mockApi({})
    renderApp(<VideoPage />)
    await screen.findByText(/up to 10 MB/)
    await userEvent.upload(
      document.querySelector('input[type=file]') as HTMLInputElement,
      imageFile('big.mp4', 11 * 1024 * 1024, 'video/mp4'),
    )
    expect(screen.getByRole('alert')).toHaveTextContent('The limit is 10 MB per video.')
  })
})
