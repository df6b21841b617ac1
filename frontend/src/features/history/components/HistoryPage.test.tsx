import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { historyItem } from '@/test/fixtures'
import { mockApi } from '@/test/mock-api'
import { renderApp } from '@/test/render'
import { HistoryPage } from './HistoryPage'

const page = (items = [historyItem(), historyItem({ id: 'h2', kind: 'video', filename: 'clip.avi', prediction: 'REAL' })], total = items.length) => ({
  body: { items, total, page: 1, page_size: 10 },
})

describe('HistoryPage', () => {
  it('lists past analyses with links to each', async () => {
    mockApi({ 'GET /api/history': page() })
    renderApp(<HistoryPage />, { path: '/history' })
    const rows = await screen.findAllByTestId('history-row')
    expect(rows).toHaveLength(2)
    expect(screen.getByRole('link', { name: 'astronaut.jpg' })).toHaveAttribute('href', '/history/h1')
    expect(screen.getByText('2 analyses')).toBeInTheDocument()
  })

  it('shows the probability that the face is fake, and a file with no face as such', async () => {
    mockApi({
      'GET /api/history': page([
        historyItem(),
        historyItem({ id: 'h2', filename: 'calm.jpg', prediction: 'REAL', confidence: 0.96, fake_probability: 0.04 }),
        historyItem({ id: 'h3', filename: 'maybe.jpg', prediction: 'UNCERTAIN', confidence: 0.607, fake_probability: 0.393 }),
        historyItem({ id: 'h4', filename: 'grey.png', prediction: 'NO_FACE', confidence: null, fake_probability: null }),
      ]),
    })
    renderApp(<HistoryPage />, { path: '/history' })
    const rows = await screen.findAllByTestId('history-row')
    expect(rows[0]).toHaveTextContent('Fake97 % likely fake')
    expect(rows[1]).toHaveTextContent('Real4 % likely fake')
    expect(rows[1]).not.toHaveTextContent('96')
    expect(rows[2]).toHaveTextContent('Uncertain39 % likely fake, leans real')
    expect(rows[3]).toHaveTextContent('No face found')
    expect(rows[3]).not.toHaveTextContent('%')
    expect(within(rows[3] as HTMLElement).getByText('No face found')).toHaveClass('badge--no-face')
  })

  it('filters the analyses without a face', async () => {
    const calls = mockApi({ 'GET /api/history': page([]) })
    renderApp(<HistoryPage />, { path: '/history' })
    await screen.findByText(/Nothing analysed yet/)
    await userEvent.click(screen.getByRole('button', { name: 'No face' }))
    await waitFor(() =>
      expect(calls.some((c) => c.url === '/api/history?page=1&page_size=10&prediction=NO_FACE')).toBe(true),
    )
    expect(window.location.search).toBe('?verdict=NO_FACE')
    expect(screen.getByRole('button', { name: 'No face' })).toHaveAttribute('aria-pressed', 'true')
    expect(await screen.findByText(/No analysis without a face yet/)).toBeInTheDocument()
  })

  it('filters by verdict through the query', async () => {
    const calls = mockApi({ 'GET /api/history': page() })
    renderApp(<HistoryPage />, { path: '/history' })
    await screen.findAllByTestId('history-row')
    await userEvent.click(screen.getByRole('button', { name: 'Fake' }))
    await waitFor(() =>
      expect(calls.some((c) => c.url === '/api/history?page=1&page_size=10&prediction=FAKE')).toBe(true),
    )
    expect(window.location.search).toBe('?verdict=FAKE')
    expect(screen.getByRole('button', { name: 'Fake' })).toHaveAttribute('aria-pressed', 'true')
  })

  it('pages through the list', async () => {
    const calls = mockApi({ 'GET /api/history': page(undefined, 25) })
    renderApp(<HistoryPage />, { path: '/history' })
    expect(await screen.findByRole('spinbutton', { name: 'Page' })).toHaveValue(1)
    expect(screen.getByText('of 3')).toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Older →' }))
    await waitFor(() => expect(calls.some((c) => c.url.includes('page=2'))).toBe(true))
  })

  it('deletes after a confirmation, then reloads', async () => {
    const calls = mockApi({ 'GET /api/history': page(), 'DELETE /api/history/h1': { status: 204 } })
    renderApp(<HistoryPage />, { path: '/history' })
    await screen.findAllByTestId('history-row')
    await userEvent.click(screen.getByRole('button', { name: 'Delete astronaut.jpg' }))
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false)
    await userEvent.click(screen.getByRole('button', { name: 'Confirm delete astronaut.jpg' }))
    await waitFor(() => expect(calls.filter((c) => c.url.startsWith('/api/history?'))).toHaveLength(2))
    expect(calls.some((c) => c.method === 'DELETE' && c.url === '/api/history/h1')).toBe(true)
  })

  it('says when there is nothing yet', async () => {
    mockApi({ 'GET /api/history': page([]) })
    renderApp(<HistoryPage />, { path: '/history' })
    expect(await screen.findByText(/Nothing analysed yet/)).toBeInTheDocument()
  })
})
