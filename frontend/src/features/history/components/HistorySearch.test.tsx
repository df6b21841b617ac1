import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { historyItem } from '@/test/fixtures'
import { mockApi } from '@/test/mock-api'
import { renderApp } from '@/test/render'
import { HistoryPage } from './HistoryPage'

const answer = (total: number, page = 1, items = [historyItem()]) => ({ body: { items, total, page, page_size: 10 } })

describe('History search and paging', () => {
  it('searches by file name or SHA-256, kept in the URL', async () => {
    const calls = mockApi({ 'GET /api/history': answer(1) })
    renderApp(<HistoryPage />, { path: '/history?verdict=FAKE' })
    await screen.findAllByTestId('history-row')

    await userEvent.type(screen.getByRole('searchbox', { name: 'Search by file name or SHA-256' }), ' 9f86d081 {Enter}')

    await waitFor(() => expect(window.location.search).toBe('?verdict=FAKE&q=9f86d081'))
    await waitFor(() => expect(calls.some((c) => c.url.includes('q=9f86d081') && c.url.includes('prediction=FAKE'))).toBe(true))
    expect(screen.getByRole('searchbox')).toHaveValue('9f86d081')

    await userEvent.click(screen.getByRole('button', { name: 'Clear' }))
    await waitFor(() => expect(window.location.search).toBe('?verdict=FAKE'))
    expect(screen.getByRole('searchbox')).toHaveValue('')
  })

  it('says when nothing matches the search', async () => {
    mockApi({ 'GET /api/history': answer(0, 1, []) })
    renderApp(<HistoryPage />, { path: '/history?q=beach' })
    expect(await screen.findByText('No analysis matches “beach”.')).toBeInTheDocument()
  })

  it('jumps to a page by its number', async () => {
    const calls = mockApi({ 'GET /api/history': answer(95) })
    renderApp(<HistoryPage />, { path: '/history?q=a' })
    const input = await screen.findByRole('spinbutton', { name: 'Page' })
    expect(screen.getByText('of 10')).toBeInTheDocument()
    const go = screen.getByRole('button', { name: 'Go' })
    expect(go).toBeDisabled() // already on page 1

    await userEvent.clear(input)
    await userEvent.type(input, '11')
    expect(go).toBeDisabled() // past the last page
    expect(input).toHaveAttribute('aria-invalid', 'true')

    await userEvent.clear(input)
    await userEvent.type(input, '7{Enter}')
    await waitFor(() => expect(window.location.search).toBe('?q=a&page=7'))
    await waitFor(() => expect(calls.some((c) => c.url.includes('page=7') && c.url.includes('q=a'))).toBe(true))
    expect(screen.getByRole('spinbutton', { name: 'Page' })).toHaveValue(7)
  })
})
