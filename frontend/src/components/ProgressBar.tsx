interface ProgressBarProps {
  /** 0-1; null: indeterminate (busy, amount unknown) */
  value: number | null
  label: string
}

export function ProgressBar({ value, label }: ProgressBarProps) {
  const percent = value == null ? null : Math.round(Math.min(1, Math.max(0, value)) * 100)
  return (
    <div className="progress">
      <div className="progress__row">
        <span className="progress__label">{label}</span>
        {percent != null && <span className="progress__value">{percent} %</span>}
      </div>
      <div
        className={`progress__track${percent == null ? ' progress__track--busy' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        data-testid="progress"
      >
        <div className="progress__fill" style={{ width: percent == null ? undefined : `${percent}%` }} />
      </div>
    </div>
  )
}
