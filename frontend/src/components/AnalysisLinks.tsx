import { useState } from 'react'
import { describeError, type ErrorMessage } from '@/lib/error-messages'
import { downloadBlob } from '@/lib/download'
import { useOptionalInfo } from '@/lib/info/info-context'
import { Link } from '@/lib/router'
import { getReport, reportFilename } from '@/lib/get-report'

interface AnalysisLinksProps {
  /** the analysis_id of the result */
  id: string
  /** the analysed file's name (the report's file name is made from it) */
  filename: string
  /** show the permalink (not on the History page of the analysis itself) */
  permalink?: boolean
}

const LINK_ICON = 'M10 14a4 4 0 0 0 5.66 0l3-3a4 4 0 0 0-5.66-5.66l-1 1M14 10a4 4 0 0 0-5.66 0l-3 3a4 4 0 0 0 5.66 5.66l1-1'
const DOWNLOAD_ICON = 'M12 4v11m0 0-4-4m4 4 4-4M5 19h14'

function Icon({ d }: { d: string }) {
  return (
    <svg className="analysis-links__icon" viewBox="0 0 24 24" aria-hidden="true" width={16} height={16}>
      <path d={d} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  )
}

/** Where an analysis can be found again: its permalink (/history/<id>) and its report, an
 * HTML page to keep, print or archive. Nothing when the service keeps no history. */
export function AnalysisLinks({ id, filename, permalink = true }: AnalysisLinksProps) {
  const info = useOptionalInfo()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorMessage | null>(null)
  if (info?.history_enabled === false) return null

  const download = async () => {
    setBusy(true)
    setError(null)
    try {
      downloadBlob(reportFilename(filename, id), await getReport(id))
    } catch (e) {
      setError(describeError(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="analysis-links" data-testid="analysis-links">
      {permalink && (
        <Link to={`/history/${id}`} className="analysis-links__permalink" data-testid="permalink">
          <Icon d={LINK_ICON} />
          Permalink: /history/{id.slice(0, 8)}…
        </Link>
      )}
      <button
        type="button"
        className="button button--small"
        onClick={() => void download()}
        disabled={busy}
        data-testid="download-report"
      >
        <Icon d={DOWNLOAD_ICON} />
        {busy ? 'Preparing the report…' : 'Download report'}
      </button>
      {error && (
        <p className="analysis-links__error" role="alert">
          The report could not be downloaded: {error.title}
        </p>
      )}
    </div>
  )
}
