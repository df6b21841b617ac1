import { ApiError } from '@/lib/api-client'
import type { Limits } from '@/lib/api-types'
import { VerdictBadge } from '@/components/VerdictBadge'
import { describeError } from '@/lib/error-messages'
import { formatPercent, sentence } from '@/lib/format'
import type { BatchRow } from '../utils/batch-rows'

/** One file of a batch: the deciding face, its verdict and confidence, or why it failed. */
export function BatchResultCard({ row, limits }: { row: BatchRow; limits: Limits | null }) {
  const { result, error } = row
  const top = result?.faces.reduce<(typeof result.faces)[number] | undefined>(
    (a, b) => (a && a.fake_probability >= b.fake_probability ? a : b),
    undefined,
  )
  const message = error ? describeError(new ApiError(0, error.code, error.detail), { limits }) : null
  const state = result ? result.prediction.toLowerCase() : 'failed'
  return (
    <li className={`batch-card batch-card--${state}`} data-testid="batch-card" data-state={state}>
      <div className="batch-card__thumb">
        {top ? (
          <img src={top.thumbnail} alt={`Face in ${row.filename}`} width={96} height={96} />
        ) : (
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path
              d="M6 3h8l4 4v14H6zM14 3v4h4M9 13l6 6m0-6-6 6"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.5"
              strokeLinejoin="round"
            />
          </svg>
        )}
      </div>
      <div className="batch-card__body">
        <p className="batch-card__name" title={row.filename}>
          {row.filename}
        </p>
        {result ? (
          <>
            <p className="batch-card__verdict">
              <VerdictBadge verdict={result.prediction} />
              <span className="batch-card__confidence">{formatPercent(result.confidence)}</span>
            </p>
            <p className="batch-card__detail">
              {result.face_detected
                ? `${result.faces.length} face${result.faces.length > 1 ? 's' : ''} · ${formatPercent(result.fake_probability)} fake`
                : 'No face found — whole image analysed'}
            </p>
          </>
        ) : (
          message && (
            <div className="batch-card__error" data-testid="batch-error">
              <p className="batch-card__error-title">{message.title}</p>
              {message.hint && <p className="batch-card__detail">{message.hint}</p>}
            </div>
          )
        )}
        {result && (
          <p className="visually-hidden">{sentence(result.reason)}</p>
        )}
      </div>
    </li>
  )
}
