import type { Verdict } from '@/lib/api-types'
import { verdictHeadline } from '@/lib/format'

const CAPTIONS: Record<Verdict, string> = {
  FAKE: 'Likely a deepfake',
  REAL: 'No sign of manipulation found',
  UNCERTAIN: 'The models cannot tell: a person should take a look',
}

interface VerdictHeadlineProps {
  verdict?: Verdict | null
  confidence?: number | null
  /** shown while there is no verdict yet */
  pendingText?: string
}

/**
 * The verdict in large type, inside a live region that is on the page before the result
 * arrives, so screen readers announce the verdict when it appears. Its height is fixed:
 * the result arriving moves nothing.
 */
export function VerdictHeadline({ verdict, confidence, pendingText = '' }: VerdictHeadlineProps) {
  const done = verdict != null && confidence != null
  return (
    <div
      className={`verdict${done ? ` verdict--${verdict.toLowerCase()}` : ' verdict--pending'}`}
      role="status"
      aria-live="polite"
      aria-atomic="true"
      data-testid="verdict"
      data-verdict={done ? verdict : undefined}
    >
      {done ? (
        <>
          <p className="verdict__headline">{verdictHeadline(verdict, confidence)}</p>
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
