import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { mockApi } from '@/test/mock-api'
import { App } from './App'

describe('App', () => {
  it('moves between the screens from the navigation', async () => {
    mockApi({
      'GET /api/history': { body: { items: [], total: 0, page: 1, page_size: 10 } },
      'GET /api/models': { body: [] },
    })
    window.history.replaceState(null, '', '/')
    render(<App />)
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Is this face real?')
    const nav = screen.getByRole('navigation', { name: 'Main' })
    expect(screen.getByRole('link', { name: 'Analyze' })).toHaveAttribute('aria-current', 'page')

    const screens = [
      ['/batch', 'Check many photos at once'],
      ['/video', 'Check a video'],
      ['/history', 'History'],
      ['/models', 'The models'],
    ] as const
    for (const [href, heading] of screens) {
      await userEvent.click(nav.querySelector(`a[href="${href}"]`) as HTMLElement)
      expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(heading)
    }
    expect(document.title).toBe('Models · FaceProof')
    expect(await screen.findByText(/FaceProof 0\.1\.0/)).toBeInTheDocument()
  })

  it('has a page for unknown paths', async () => {
    mockApi({})
    window.history.replaceState(null, '', '/nowhere')
    render(<App />)
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('This page does not exist')
    await screen.findByText(/FaceProof 0\.1\.0/)
  })

  it('asks for the API key when the service wants one', async () => {
    mockApi({ 'GET /api/info': { status: 401, body: { code: 'invalid_api_key', detail: 'missing' } } })
    window.history.replaceState(null, '', '/')
    render(<App />)
    expect(await screen.findByText('This service needs an API key.')).toBeInTheDocument()
    await userEvent.type(screen.getAllByLabelText('API key')[0] as HTMLElement, 'k3y')
    await userEvent.click(screen.getAllByRole('button', { name: 'Save' })[0] as HTMLElement)
    expect(window.localStorage.getItem('faceproof.apiKey')).toBe('k3y')
  })
})
