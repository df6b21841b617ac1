import { useEffect, useState } from 'react'
import { apiUrl, getApiKey, isAbortError } from '@/lib/api-client'
import { getReportFigure } from '../api/get-report-figure'

interface Props {
  /** the figure's API path, e.g. /api/models/x/reports/roc.png */
  path: string
  alt: string
}

/**
 * A report figure from the API. An <img> cannot send the X-API-Key header, so with a key
 * saved the figure is fetched with it and shown from a blob URL (released on unmount).
 */
export function ReportImage({ path, alt }: Props) {
  const key = getApiKey()
  const [blobUrl, setBlobUrl] = useState<string | null>(null)
  const [failed, setFailed] = useState(false)

  useEffect(() => {
    if (!key) return
    const controller = new AbortController()
    let url: string | null = null
    getReportFigure(path, controller.signal)
      .then((blob) => {
        url = URL.createObjectURL(blob)
        setBlobUrl(url)
      })
      .catch((error: unknown) => {
        if (!isAbortError(error)) setFailed(true)
      })
    return () => {
      controller.abort()
      if (url) URL.revokeObjectURL(url)
    }
  }, [path, key])

  if (!key) return <img src={apiUrl(path)} alt={alt} />
  if (failed) return <p className="report__missing">{alt}: the figure could not be loaded.</p>
  if (!blobUrl) return <div className="report__loading" role="img" aria-label={`${alt} (loading)`} />
  return <img src={blobUrl} alt={alt} />
}
