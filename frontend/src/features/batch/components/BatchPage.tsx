import { useMemo, useState } from 'react'
import { ErrorNotice } from '@/components/ErrorNotice'
import { PageIntro } from '@/components/PageIntro'
import { ProgressBar } from '@/components/ProgressBar'
import { UploadArea } from '@/components/UploadArea'
import { downloadFile } from '@/lib/download'
import { formatBytes } from '@/lib/format'
import { IMAGE_FORMATS } from '@/lib/formats'
import { useInfo } from '@/lib/info/info-context'
import { useBatch } from '../hooks/use-batch'
import { progressRows } from '../utils/batch-progress'
import { batchRows, SORT_LABELS, sortRows, type SortKey } from '../utils/batch-rows'
import { responseToJson, rowsToCsv } from '../utils/export-results'
import { BatchResultCard } from './BatchResultCard'
import { BatchSummaryCard } from './BatchSummaryCard'

function stamp(): string {
  return new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')
}

/** Many images at once: a summary, a card per image, sorting, CSV and JSON export. */
export function BatchPage() {
  const info = useInfo()
  const { state, run } = useBatch()
  const [sort, setSort] = useState<SortKey>('upload')
  const response = state.status === 'success' ? state.response : null
  const rows = useMemo(() => (response ? sortRows(batchRows(response), sort) : []), [response, sort])
  // while it runs: every file in upload order, answered or not
  const pending = useMemo(
    () =>
      state.status === 'loading'
        ? progressRows(
            state.files.map((f, i) => f.name || `image-${i + 1}.png`),
            state.done,
            state.analysing,
          )
        : [],
    [state],
  )
  const answered = state.status === 'loading' ? state.done.summary.total : 0

  return (
    <div className="page">
      <PageIntro icon="stack" title="Check many photos at once">
        Choose or drop a set of images; each one gets its own verdict.
      </PageIntro>
      <UploadArea
        accept="image/*"
        multiple
        buttonLabel="Choose images"
        prompt={<strong>Drop photos here</strong>}
        hint={
          info
            ? `${IMAGE_FORMATS}; up to ${info.limits.max_batch_files} images, ${formatBytes(info.limits.max_image_bytes)} each`
            : IMAGE_FORMATS
        }
        acceptPaste
        disabled={state.status === 'loading'}
        compact={state.status === 'loading' || state.status === 'success'}
        onFiles={(files) => void run(files)}
      />

      <p className="visually-hidden" role="status" aria-live="polite">
        {response
          ? `${response.summary.total} images analysed: ${response.summary.fake} fake, ${response.summary.real} real, ${response.summary.uncertain} uncertain, ${response.summary.no_face} with no face found, ${response.summary.failed} failed.`
          : state.status === 'loading'
            ? `${answered} of ${state.files.length} images done.`
            : ''}
      </p>
      {state.status === 'error' && <ErrorNotice message={state.error} />}
      {state.status === 'loading' && (
        <section className="batch" aria-label="Batch progress" data-testid="batch-progress">
          <div className="panel">
            <ProgressBar
              value={answered / state.files.length}
              label={`${answered} of ${state.files.length} image${state.files.length > 1 ? 's' : ''} done`}
            />
          </div>
          <ul className="batch-grid" aria-label="One card per image">
            {pending.map((row) => (
              <BatchResultCard key={row.index} row={row} limits={info?.limits ?? null} running />
            ))}
          </ul>
        </section>
      )}

      {response && (
        <section className="batch" aria-label="Batch results">
          <BatchSummaryCard summary={response.summary} />
          <div className="toolbar">
            <label className="field field--inline">
              <span>Sort by</span>
              <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)} data-testid="sort">
                {(Object.keys(SORT_LABELS) as SortKey[]).map((key) => (
                  <option key={key} value={key}>
                    {SORT_LABELS[key]}
                  </option>
                ))}
              </select>
            </label>
            <div className="toolbar__actions">
              <button
                type="button"
                className="button"
                onClick={() => downloadFile(`faceproof-batch-${stamp()}.csv`, rowsToCsv(rows), 'text/csv')}
              >
                Download CSV
              </button>
              <button
                type="button"
                className="button"
                onClick={() =>
                  downloadFile(`faceproof-batch-${stamp()}.json`, responseToJson(response), 'application/json')
                }
              >
                Download JSON
              </button>
            </div>
          </div>
          <ul className="batch-grid" aria-label="One card per image">
            {rows.map((row) => (
              <BatchResultCard key={row.index} row={row} limits={info?.limits ?? null} />
            ))}
          </ul>
        </section>
      )}
    </div>
  )
}
