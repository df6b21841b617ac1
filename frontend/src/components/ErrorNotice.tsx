import type { ErrorMessage } from '@/lib/error-messages'

interface ErrorNoticeProps {
  message: ErrorMessage
  onRetry?: () => void
}

/** An error in plain words, announced at once, where the person acted. */
export function ErrorNotice({ message, onRetry }: ErrorNoticeProps) {
  return (
    <div className="notice notice--error" role="alert" data-testid="error">
      <svg className="notice__icon" viewBox="0 0 24 24" aria-hidden="true">
        <circle cx="12" cy="12" r="9.5" fill="none" stroke="currentColor" strokeWidth="1.8" />
        <path d="M12 7v6m0 3.5v.5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      </svg>
      <div>
        <p className="notice__title">{message.title}</p>
        {message.hint && <p className="notice__hint">{message.hint}</p>}
        {onRetry && (
          <button type="button" className="button button--small" onClick={onRetry}>
            Try again
          </button>
        )}
      </div>
    </div>
  )
}
