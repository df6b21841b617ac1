import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { historyItem } from '@/test/fixtures'
import { mockApi } from '@/test/mock-api'
import { renderApp } from '@/test/render'
import { HistoryPage } from './HistoryPage'

// issue 14: the row jumped when Delete asked for confirmation, and focus went back to the
// top of the page after a delete
const rows = [
  historyItem({ id: 'a', filename: 'a.jpg' }),
  historyItem({ id: 'b', filename: 'b.jpg' }),
  historyItem({ id: 'c', filename: 'c.jpg' }),
]

function api(items: typeof rows) {
  let left = items
  return mockApi({
    'GET /api/history': () =>
      Response.json({ items: left, total: left.length, page: 1, page_size: 10 }),
    'DELETE /api/history/b': () => {
      left = left.filter((i) => i.id !== 'b')
      return new Response(null, { status: 204 })
    },
    'DELETE /api/history/c': () => {
      left = left.filter((i) => i.id !== 'c')
      return new Response(null, { status: 204 })
    },
  })
}

describe('HistoryPage delete', () => {
  it('asks over the place of the button: an invisible copy keeps its size', async () => {
    api(rows)
    renderApp(<HistoryPage />, { path: '/history' })
    await userEvent.click(await screen.findByRole('button', { name: 'Delete b.jpg' }))
    const confirm = screen.getByTestId('delete-confirm')
    const holder = confirm.parentElement as HTMLElement
    expect(holder).toHaveClass('delete')
    expect(holder.querySelector('.delete__placeholder')).toHaveTextContent('Delete')
    expect(holder.querySelector('.delete__placeholder')).toHaveAttribute('aria-hidden', 'true')
    expect(screen.getByRole('button', { name: 'Confirm delete b.jpg' })).toHaveFocus()
  })

  it('focuses the row that took the deleted one\'s place', async () => {
    api(rows)
    renderApp(<HistoryPage />, { path: '/history' })
    await userEvent.click(await screen.findByRole('button', { name: 'Delete b.jpg' }))
    await userEvent.click(screen.getByRole('button', { name: 'Confirm delete b.jpg' }))
    await waitFor(() => expect(screen.queryByText('b.jpg')).not.toBeInTheDocument())
    await waitFor(() => expect(screen.getByRole('link', { name: 'c.jpg' })).toHaveFocus())
  })

  it('focuses the row before when the last one goes', async () => {
    api(rows)
    renderApp(<HistoryPage />, { path: '/history' })
    await userEvent.click(await screen.findByRole('button', { name: 'Delete c.jpg' }))
    await userEvent.click(screen.getByRole('button', { name: 'Confirm delete c.jpg' }))
    await waitFor(() => expect(screen.getByRole('link', { name: 'b.jpg' })).toHaveFocus())
  })

  it('gives focus back to Delete after Cancel', async () => {
    api(rows)
    renderApp(<HistoryPage />, { path: '/history' })
    await userEvent.click(await screen.findByRole('button', { name: 'Delete a.jpg' }))
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    expect(screen.getByRole('button', { name: 'Delete a.jpg' })).toHaveFocus()
  })
})
