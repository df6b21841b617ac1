import { useCallback, useEffect, useRef } from 'react'
import { ErrorNotice } from '@/components/ErrorNotice'
import { Icon } from '@/components/Icon'
import { PageIntro } from '@/components/PageIntro'
import { VerdictBadge } from '@/components/VerdictBadge'
import type { Verdict } from '@/lib/api-types'
import { describeError } from '@/lib/error-messages'
import { formatDate, formatFakeProbability } from '@/lib/format'
import { Link, useRouter } from '@/lib/router'
import { useAsync } from '@/lib/use-async'
import { getHistory } from '../api/get-history'
import { useDeleteAnalysis } from '../hooks/use-delete-analysis'
import { DeleteButton } from './DeleteButton'
import { HistorySearch, PageJump } from './HistorySearch'

const PAGE_SIZE = 10
const FILTERS: { value: Verdict | ''; label: string }[] = [
  { value: '', label: 'All' },
  { value: 'FAKE', label: 'Fake' },
  { value: 'UNCERTAIN', label: 'Uncertain' },
  { value: 'REAL', label: 'Real' },
  { value: 'NO_FACE', label: 'No face' },
]

function isVerdict(value: string | null): value is Verdict {
  return value === 'FAKE' || value === 'REAL' || value === 'UNCERTAIN' || value === 'NO_FACE'
}

/** Past analyses: paged, filtered by verdict (both kept in the URL), open or delete one. */
export function HistoryPage() {
  const { search, navigate } = useRouter()
  const params = new URLSearchParams(search)
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1)
  const verdictParam = params.get('verdict')
  const verdict = isVerdict(verdictParam) ? verdictParam : undefined
  const q = (params.get('q') ?? '').trim()

  const history = useAsync(
    (signal) => getHistory({ page, pageSize: PAGE_SIZE, prediction: verdict, q, signal }),
    `${page}|${verdict ?? ''}|${q}`,
  )
  const { reload } = history
  const { remove, pending, error: deleteError } = useDeleteAnalysis(useCallback(() => reload(), [reload]))
  // after a delete, focus goes to the row that took the deleted one's place (or the one
  // before, or the empty list's link), not back to the top of the page
  const pageRef = useRef<HTMLDivElement>(null)
  const refocus = useRef<number | null>(null)
  useEffect(() => {
    if (refocus.current === null || history.status === 'loading') return
    const targets = pageRef.current?.querySelectorAll<HTMLElement>('.history__name, .empty a')
    if (targets && targets.length > 0) targets[Math.min(refocus.current, targets.length - 1)]?.focus()
    refocus.current = null
  }, [history.data, history.status])
  useEffect(() => {
    if (deleteError) refocus.current = null
  }, [deleteError])

  const go = (next: { page?: number; verdict?: Verdict | ''; q?: string }) => {
    const query = new URLSearchParams()
    const v = next.verdict ?? verdict ?? ''
    const p = next.page ?? page
    const text = (next.q ?? q).trim()
    if (v) query.set('verdict', v)
    if (text) query.set('q', text)
    if (p > 1) query.set('page', String(p))
    const s = query.toString()
    navigate(s ? `/history?${s}` : '/history', { replace: true })
  }

  const data = history.data
  const pages = data ? Math.max(1, Math.ceil(data.total / data.page_size)) : 1

  return (
    <div className="page" ref={pageRef}>
      <PageIntro icon="clock" title="History">
        Every analysis made on this service, newest first.
      </PageIntro>

      <div className="toolbar">
        <div className="toggle" role="group" aria-label="Show verdict">
          {FILTERS.map((f) => (
            <button
              key={f.label}
              type="button"
              className="toggle__option"
              aria-pressed={(verdict ?? '') === f.value}
              onClick={() => go({ verdict: f.value, page: 1 })}
            >
              {f.label}
            </button>
          ))}
        </div>
        {data && (
          <p className="toolbar__count" aria-live="polite">
            {data.total} {data.total === 1 ? 'analysis' : 'analyses'}
          </p>
        )}
      </div>

      <HistorySearch key={q} value={q} onSearch={(text) => go({ q: text, page: 1 })} />

      {history.status === 'error' && (
        <ErrorNotice message={describeError(history.error)} onRetry={history.reload} />
      )}
      {deleteError && <ErrorNotice message={deleteError} />}

      {data && data.items.length === 0 && (
        <p className="empty">
          {q
            ? `No analysis matches “${q}”.`
            : verdict === 'NO_FACE'
            ? 'No analysis without a face yet.'
            : verdict
              ? 'No analysis with this verdict yet.'
              : 'Nothing analysed yet.'}{' '}
          <Link to="/">Analyse a photo</Link>
        </p>
      )}
      {!data && history.status === 'loading' && <p className="empty">Loading…</p>}

      {data && data.items.length > 0 && (
        <ul
          className={`history${history.status === 'loading' ? ' history--stale' : ''}`}
          aria-busy={history.status === 'loading'}
          data-testid="history-list"
        >
          {data.items.map((item, index) => (
            <li key={item.id} className="history__row" data-testid="history-row">
              <span className={`history__kind history__kind--${item.kind}`} title={item.kind}>
                <Icon name={item.kind === 'video' ? 'film' : 'image'} />
                <span className="visually-hidden">{item.kind}</span>
              </span>
              <Link to={`/history/${item.id}`} className="history__name">
                {item.filename}
              </Link>
              <span className="history__meta">
                <span className="history__verdict">
                  <VerdictBadge verdict={item.prediction} />
                  {item.fake_probability != null && item.prediction !== 'NO_FACE' && (
                    <span className="history__p">{formatFakeProbability(item.fake_probability, item.prediction)}</span>
                  )}
                </span>
                <time className="history__date" dateTime={item.created_at}>
                  {formatDate(item.created_at)}
                </time>
              </span>
              <span className="history__actions">
                <DeleteButton
                  name={item.filename}
                  busy={pending === item.id}
                  onConfirm={() => {
                    refocus.current = index
                    void remove(item.id)
                  }}
                />
              </span>
            </li>
          ))}
        </ul>
      )}

      {data && pages > 1 && (
        <nav className="pager" aria-label="Pages">
          <button type="button" className="button" disabled={page <= 1} onClick={() => go({ page: page - 1 })}>
            ← Newer
          </button>
          <PageJump key={page} page={page} pages={pages} onJump={(p) => go({ page: p })} />
          <button type="button" className="button" disabled={page >= pages} onClick={() => go({ page: page + 1 })}>
            Older →
          </button>
        </nav>
      )}
    </div>
  )
}
