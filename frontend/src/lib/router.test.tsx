import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Link, matchPath, RouterProvider, useRouter } from './router'

function Where() {
  const { path, search } = useRouter()
  return <p data-testid="where">{`${path}?${search}`}</p>
}

describe('router', () => {
  it('matches patterns with parameters', () => {
    expect(matchPath('/history/:id', '/history/abc%20d')).toEqual({ id: 'abc d' })
    expect(matchPath('/history/:id', '/history')).toBeNull()
    expect(matchPath('/', '/')).toEqual({})
    expect(matchPath('/batch', '/video')).toBeNull()
  })

  it('navigates on a link click without reloading, and follows back', async () => {
    window.history.replaceState(null, '', '/')
    render(
      <RouterProvider>
        <Link to="/history?page=2">History</Link>
        <Where />
      </RouterProvider>,
    )
    await userEvent.click(screen.getByRole('link', { name: 'History' }))
    expect(screen.getByTestId('where')).toHaveTextContent('/history?page=2')
    expect(window.location.pathname).toBe('/history')
  })
})
