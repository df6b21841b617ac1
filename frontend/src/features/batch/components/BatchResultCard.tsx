import { ApiError } from '@/lib/api-client'
import type { Limits } from '@/lib/api-types'
import { VerdictBadge } from '@/components/VerdictBadge'
import { decidingFace } from '@/lib/deciding-face'
import { describeError } from '@/lib/error-messages'
import { formatFakeProbability, sentence, verdictSlug } from '@/lib/format'
import { Link } from '@/lib/router'
import { itemStatus, type ItemStatus } from '../utils/batch-progress'
import type { BatchRow } from '../utils/batch-rows'

// a broken page: the file could not be analysed
const FAILED_ICON = 'M6 3h8l4 4v14H6zM14 3v4h4M9 13l6 6m0-6-6 6'
// a face outline, struck through: analysed, but no face in it
const NO_FACE_ICON = 'M12 4a6 7 0 1 0 0.01 0M9.5 10h.01M14.5 10h.01M9.5 14.5h5M4 20 20 4'

const STATUS_LABELS: Record<ItemStatus, string> = {
  queued: 'Queued',
  analysing: 'Analysing…',
  done: 'Done',
  error: 'Error',
}

interface BatchResultCardProps {
  row: BatchRow
  limits: Limits | null
  /** the batch is still running: every card says where its file stands */
  running?: boolean
}

/** One file of a batch: the deciding face, its verdict and the probability that it is fake;
 * that no face was found; or why it failed. While the batch runs, a file not answered yet
 * says whether it waits its turn or is being analysed. */
export function BatchResultCard({ row, limits, running = false }: BatchResultCardProps) {
  const status = itemStatus(row)
  const chip = running && (
    <span className={`batch-card__status batch-card__status--${status}`} data-testid="batch-status">
      {STATUS_LABELS[status]}
    </span>
  )
  if (row.pending) {
    return (
      <li
        className={`batch-card batch-card--${row.pending}`}
        data-testid="batch-card"
        data-state={row.pending}
        aria-busy={row.pending === 'analysing'}
      >
        <div className="batch-card__thumb" aria-hidden="true">
          <span className="batch-card__spinner" />
        </div>
        <div className="batch-card__body">
          <p className="batch-card__name" title={row.filename}>
            {row.filename}
          </p>
          {chip}
        </div>
      </li>
    )
  }
  const { result, error } = row
  const top = result ? decidingFace(result) : undefined
  const message = error ? describeError(new ApiError(0, error.code, error.detail), { limits }) : null
  const state = result ? verdictSlug(result.prediction) : 'failed'
  const noFace = result?.prediction === 'NO_FACE'
  return (
    <li className={`batch-card batch-card--${state}`} data-testid="batch-card" data-state={state}>
      <div className="batch-card__thumb">
        {top ? (
          <img src={top.thumbnail} alt={`Face in ${row.filename}`} width={96} height={96} />
        ) : (
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path
              d={noFace ? NO_FACE_ICON : FAILED_ICON}
              fill="none"
              stroke="currentColor"
              strokeWidth="1.5"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
        )}
      </div>
      <div className="batch-card__body">
        <p className="batch-card__name" title={row.filename}>
          {result ? (
            // the analysis of this file, with its report
            <Link to={`/history/${result.analysis_id}`} data-testid="batch-open">
              {row.filename}
            </Link>
          ) : (
            row.filename
          )}
        </p>
        {result ? (
          <>
            <p className="batch-card__verdict">
              <VerdictBadge verdict={result.prediction} />
            </p>
            {result.fake_probability != null && !noFace ? (
              <p className="batch-card__probability" data-testid="batch-probability">
                {formatFakeProbability(result.fake_probability, result.prediction, result.decision.threshold)}
              </p>
            ) : (
              <p className="batch-card__probability batch-card__probability--none">No verdict</p>
            )}
            <p className="batch-card__detail">
              {noFace
                ? 'The models judge faces only'
                : result.face_detected
                  ? result.faces.length > 1
                    ? `${result.faces.length} faces · the verdict is the most likely fake one's`
                    : '1 face'
                  : 'No face found — whole image scored, as asked'}
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
        {chip}
        {result && <p className="visually-hidden">{sentence(result.reason)}</p>}
      </div>
    </li>
  )
}
