import { act, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { job, noFaceVideo, video } from '@/test/fixtures'
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
    expect(screen.getByRole('status')).toHaveTextContent('FAKE · 80 % likely fake')
    expect(screen.getByTestId('timeline')).toBeInTheDocument()
    expect(screen.getAllByTestId('timeline-region')).not.toHaveLength(0)
    expect(screen.getAllByTestId('keyframe')).toHaveLength(1)
    expect(screen.getByRole('region', { name: 'Provenance' })).toHaveTextContent('No Content Credentials')
    expect(screen.getByTestId('keyframe')).toHaveTextContent('90 % likely fake')
    expect(screen.getByText('75 %')).toBeInTheDocument()
    expect(screen.getByTestId('side-glow')).toHaveAttribute('data-side', 'left')
  })

  it('gives no verdict when no sampled frame shows a face: no number, no glow, no timeline', async () => {
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
      imageFile('empty-room.avi', 100, 'video/x-msvideo'),
    )
    await screen.findByRole('progressbar')
    act(() => FakeEventSource.last.emit('done', job({ status: 'done', progress: 1, result: noFaceVideo() })))
    const status = screen.getByRole('status')
    expect(status).toHaveTextContent('NO VERDICT · no face found')
    expect(status).toHaveAttribute('data-verdict', 'NO_FACE')
    expect(screen.getByTestId('reason')).toHaveTextContent('no verdict for this video')
    expect(screen.queryByTestId('side-glow')).not.toBeInTheDocument()
    expect(screen.queryByTestId('timeline')).not.toBeInTheDocument()
    expect(screen.queryByTestId('keyframe')).not.toBeInTheDocument()
    expect(screen.getByText('Frames with a face').nextSibling).toHaveTextContent('0')
  })

  it('says when frames were analysed smaller than the video', async () => {
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
      imageFile('big.mp4', 100, 'video/mp4'),
    )
    await screen.findByRole('progressbar')
    const downscaled = { original: { width: 3840, height: 2160 }, analysed: { width: 1280, height: 720 } }
    act(() => FakeEventSource.last.emit('done', job({ status: 'done', progress: 1, result: video({ downscaled }) })))
    expect(screen.getByText('Frames analysed at').nextSibling).toHaveTextContent('1280×720 (video 3840×2160)')
  })

  it('asks for the stability check when chosen and shows whether the verdict holds', async () => {
    vi.stubGlobal('EventSource', FakeEventSource)
    const calls = mockApi({
      'POST /api/jobs/video': {
        status: 202,
        body: { job_id: 'j1', status: 'queued', status_url: '/api/jobs/j1', events_url: '/api/jobs/j1/events' },
      },
    })
    renderApp(<VideoPage />)
    await userEvent.click(screen.getByLabelText(/Check the verdict holds/))
    await userEvent.upload(
      document.querySelector('input[type=file]') as HTMLInputElement,
      imageFile('clip.mp4', 100, 'video/mp4'),
    )
    await screen.findByRole('progressbar')
    const stability = {
      summary: 'Stable: re-compressed, resized or with noise added, the video still scores 80-84 % likely fake, with the same verdict.',
      low: 0.8,
      high: 0.84,
      changes: { jpeg_50: 0.8, 'downscale_0.5': 0.82, noise_5: 0.84 },
      verdicts: ['FAKE' as const],
      unstable: false,
    }
    act(() => FakeEventSource.last.emit('done', job({ status: 'done', progress: 1, result: video({ stability }) })))
    expect(screen.getByRole('region', { name: 'Stable verdict' })).toHaveTextContent('the video still scores 80-84 %')
    const body = calls.find((c) => c.method === 'POST')?.body as FormData
    expect(body.get('stability')).toBe('true')
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
