import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { historyItem, NO_FACE_REASON, provenance } from '@/test/fixtures'
import { mockApi } from '@/test/mock-api'
import { renderApp } from '@/test/render'
import { HistoryDetail } from './HistoryDetail'

describe('HistoryDetail', () => {
  it('shows a past video with its timeline, and deletes it', async () => {
    const item = historyItem({
      id: 'v9',
      kind: 'video',
      filename: 'clip.avi',
      model_scores: {},
      details: { reason: 'mean fake probability 80.0% is at or above 60.0%', timeline: [{ time_s: 0, p: 0.8 }, { time_s: 1, p: null }] },
    })
    const calls = mockApi({ 'GET /api/history/v9': { body: item }, 'DELETE /api/history/v9': { status: 204 } })
    renderApp(<HistoryDetail id="v9" />, { path: '/history/v9' })
    expect(await screen.findByRole('heading', { name: 'clip.avi' })).toBeInTheDocument()
    expect(screen.getByRole('status')).toHaveTextContent('FAKE · 97 % likely fake')
    expect(screen.getByTestId('timeline')).toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Delete clip.avi' }))
    await userEvent.click(screen.getByRole('button', { name: 'Confirm delete clip.avi' }))
    await waitFor(() => expect(window.location.pathname).toBe('/history'))
    expect(calls.some((c) => c.method === 'DELETE')).toBe(true)
  })

  it('shows the provenance the history kept, and none for older records', async () => {
    const kept = provenance({
      findings: [
        { code: 'ai_software', level: 'warning', text: 'The software field names an AI generator (Midjourney).' },
        { code: 'bogus', level: 'shout', text: 'not a finding the service writes' } as never,
      ],
    })
    const item = historyItem({ id: 'p1', details: { reason: 'fake', provenance: kept } })
    mockApi({ 'GET /api/history/p1': { body: item }, 'GET /api/history/o1': { body: historyItem({ id: 'o1' }) } })
    const { unmount } = renderApp(<HistoryDetail id="p1" />, { path: '/history/p1' })
    const panel = await screen.findByRole('region', { name: 'Provenance' })
    expect(panel).toHaveTextContent('Warning: The software field names an AI generator (Midjourney).')
    expect(panel).not.toHaveTextContent('not a finding')
    unmount()

    renderApp(<HistoryDetail id="o1" />, { path: '/history/o1' })
    expect(await screen.findByRole('heading', { name: 'astronaut.jpg' })).toBeInTheDocument()
    expect(screen.queryByRole('region', { name: 'Provenance' })).not.toBeInTheDocument()
  })

  it('shows a past image without a face as no verdict, with its reason', async () => {
    const item = historyItem({
      id: 'n1',
      filename: 'grey.png',
      prediction: 'NO_FACE',
      confidence: null,
      fake_probability: null,
      model_scores: {},
      details: { reason: NO_FACE_REASON, face_detected: false },
    })
    mockApi({ 'GET /api/history/n1': { body: item } })
    renderApp(<HistoryDetail id="n1" />, { path: '/history/n1' })
    expect(await screen.findByRole('heading', { name: 'grey.png' })).toBeInTheDocument()
    const status = screen.getByRole('status')
    expect(status).toHaveTextContent('NO VERDICT · no face found')
    expect(status).toHaveClass('verdict--no-face')
    expect(screen.getByText(/The models judge faces only, so there is no verdict/)).toBeInTheDocument()
    expect(screen.queryByTestId('score-bar')).not.toBeInTheDocument()
  })

  it('says when the analysis is gone', async () => {
    mockApi({ 'GET /api/history/zz': { status: 404, body: { code: 'analysis_not_found', detail: 'no analysis zz' } } })
    renderApp(<HistoryDetail id="zz" />, { path: '/history/zz' })
    expect(await screen.findByRole('alert')).toHaveTextContent('This analysis no longer exists.')
  })
})
