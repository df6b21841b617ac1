import { useEffect, useState, type ReactNode } from 'react'
import { ApiError } from '@/lib/api-client'
import { useInfoState } from '@/lib/info/info-context'
import { Link, useRouter } from '@/lib/router'
import { ApiKeyForm } from './ApiKeyForm'
import { NAV } from './routes'

function isCurrent(to: string, path: string): boolean {
  return to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`)
}

/** The frame of every screen: the brand and navigation, the screen, the footer. */
export function Layout({ title, children }: { title: string; children: ReactNode }) {
  const { path } = useRouter()
  const info = useInfoState()
  const needsKey = info.error instanceof ApiError && info.error.code === 'invalid_api_key'
  const [showKey, setShowKey] = useState(false)

  useEffect(() => {
    document.title = title === 'Analyze' ? 'FaceProof' : `${title} · FaceProof`
  }, [title])

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar__inner">
          <Link to="/" className="brand" aria-label="FaceProof home">
            <svg viewBox="0 0 32 32" aria-hidden="true" className="brand__logo">
              <rect width="32" height="32" rx="8" fill="currentColor" />
              <circle cx="16" cy="13" r="6" fill="none" stroke="#fff" strokeWidth="2.5" />
              <path d="M7 27c1.5-5 5-7 9-7s7.5 2 9 7" fill="none" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" />
            </svg>
            <span>FaceProof</span>
          </Link>
          <nav className="nav" aria-label="Main">
            {NAV.map((item) => (
              <Link
                key={item.to}
                to={item.to}
                className="nav__link"
                aria-current={isCurrent(item.to, path) ? 'page' : undefined}
              >
                {item.label}
              </Link>
            ))}
          </nav>
        </div>
      </header>
      {needsKey && (
        <div className="banner" role="alert">
          <p>This service needs an API key.</p>
          <ApiKeyForm onSaved={info.reload} />
        </div>
      )}
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="footer">
        <div className="footer__inner">
          <span>
            FaceProof {info.data?.version ?? ''}
            {info.data && ` · ${info.data.models.length} model${info.data.models.length === 1 ? '' : 's'} · ${info.data.device.toUpperCase()}`}
          </span>
          <span className="footer__links">
            <a href="/api/docs">API docs</a>
            <button type="button" className="link-button" onClick={() => setShowKey((s) => !s)} aria-expanded={showKey}>
              API key
            </button>
          </span>
          {showKey && (
            <ApiKeyForm
              onSaved={() => {
                setShowKey(false)
                info.reload()
              }}
            />
          )}
        </div>
        <p className="footer__note">
          A verdict is a probability from models trained on a few data sets, not a proof. Treat
          “uncertain” as “needs a human”.
        </p>
      </footer>
    </div>
  )
}
