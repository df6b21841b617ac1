import type { Verdict } from '@/lib/api-types'
import { verdictHeadlineParts, verdictSlug } from '@/lib/format'

const CAPTIONS: Record<Verdict, string> = {
  FAKE: 'Likely a deepfake',
  REAL: 'No sign of manipulation found',
  UNCERTAIN: 'The models cannot tell: a person should take a look',
  NO_FACE: 'Try a photo in which a face is clearly visible',
}

interface VerdictHeadlineProps {
  verdict?: Verdict | null
  /** the probability that the face is fake: the one number shown; null for NO_FACE */
  fakeProbability?: number | null
  /** the decision threshold, for the side an UNCERTAIN verdict leans to (default 0.5) */
  threshold?: number
  /** shown while there is no verdict yet */
  pendingText?: string
}

/**
 * The verdict in large type with the probability that the face is fake, inside a live
 * region that is on the page before the result arrives, so screen readers announce the
 * verdict when it appears. Its height is fixed: the result arriving moves nothing.
 */
export function VerdictHeadline({ verdict, fakeProbability, threshold, pendingText = '' }: VerdictHeadlineProps) {
  const done = verdict != null && (verdict === 'NO_FACE' || fakeProbability != null)
  const parts = done ? verdictHeadlineParts(verdict, fakeProbability ?? null, threshold) : null
  return (
    <div
      className={`verdict${done ? ` verdict--${verdictSlug(verdict)}` : ' verdict--pending'}`}
      role="status"
      aria-live="polite"
      aria-atomic="true"
      data-testid="verdict"
      data-verdict={done ? verdict : undefined}
    >
      {done && parts ? (
        <>
          <p className="verdict__headline">
            <span className="verdict__word">{parts.word}</span>
            {/* read and copied, not seen: the two parts are on separate lines */}
            <span className="visually-hidden"> · </span>
            <span className="verdict__number">{parts.detail}</span>
          </p>
          <p className="verdict__caption">{CAPTIONS[verdict]}</p>
        </>
      ) : (
        <>
          <p className="verdict__headline verdict__headline--pending">
            {pendingText && <span className="spinner" aria-hidden="true" />}
            {pendingText}
          </p>
          <p className="verdict__caption">&nbsp;</p>
        </>
      )}
    </div>
  )
}
