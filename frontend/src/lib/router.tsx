/**
 * A tiny history-API router: five screens need no more, and it costs ~1 KB instead of a
 * router library. The backend (and nginx) answer any non-API path with index.html, so a
 * reload on /history/abc works.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactNode,
} from 'react'

interface RouterState {
  /** the location's pathname: "/history/abc" */
  path: string
  /** its query string, without "?": "page=2" */
  search: string
  navigate: (to: string, options?: { replace?: boolean }) => void
}

const RouterContext = createContext<RouterState | null>(null)

function read() {
  return { path: window.location.pathname, search: window.location.search.slice(1) }
}

export function RouterProvider({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState(read)

  useEffect(() => {
    const onPop = () => setLocation(read())
    window.addEventListener('popstate', onPop)
    return () => window.removeEventListener('popstate', onPop)
  }, [])

  const navigate = useCallback((to: string, options?: { replace?: boolean }) => {
    if (options?.replace) window.history.replaceState(null, '', to)
    else window.history.pushState(null, '', to)
    setLocation(read())
    if (!options?.replace) window.scrollTo?.(0, 0)
  }, [])

  const value = useMemo(
    () => ({ path: location.path, search: location.search, navigate }),
    [location, navigate],
  )
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>
}

export function useRouter(): RouterState {
  const state = useContext(RouterContext)
  if (!state) throw new Error('useRouter needs a <RouterProvider>')
  return state
}

/** Parameters of `path` when it matches `pattern` ("/history/:id"), else null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean)
  const have = path.split('/').filter(Boolean)
  if (want.length !== have.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i += 1) {
    const w = want[i] as string
    const h = have[i] as string
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(h)
    else if (w !== h) return null
  }
  return params
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }

/** An in-app link; outside a <RouterProvider> (a component tested alone) a plain one. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const navigate = useContext(RouterContext)?.navigate
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event)
    if (!navigate) return
    // let the browser handle new tabs, downloads and the like
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      rest.target
    ) {
      return
    }
    event.preventDefault()
    navigate(to)
  }
  return <a href={to} onClick={handleClick} {...rest} />
}
