import type { BatchSummary } from '@/lib/api-types'
import { formatDuration } from '@/lib/format'

/** Totals of a batch: how many files, how each came out, how long it took. */
export function BatchSummaryCard({ summary }: { summary: BatchSummary }) {
  const items = [
    ['Total', summary.total, 'total'],
    ['Real', summary.real, 'real'],
    ['Fake', summary.fake, 'fake'],
    ['Uncertain', summary.uncertain, 'uncertain'],
    ['No face', summary.no_face, 'no-face'],
    ['Failed', summary.failed, 'failed'],
  ] as const
  return (
    <section className="summary" aria-label="Batch summary" data-testid="batch-summary">
      <dl className="summary__list">
        {items.map(([label, value, kind]) => (
          <div key={label} className={`summary__item summary__item--${kind}`} data-testid={`summary-${kind}`}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="summary__time" data-testid="summary-time">
        Analysed in {formatDuration(summary.processing_time_ms)}
      </p>
    </section>
  )
}
