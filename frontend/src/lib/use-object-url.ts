import { useEffect, useState } from 'react'

/** An object URL for a local file, revoked when the file changes or the component goes. */
export function useObjectUrl(file: Blob | null | undefined): string | null {
  const [url, setUrl] = useState<string | null>(null)
  useEffect(() => {
    const next = file ? URL.createObjectURL(file) : null
    // the URL is an external resource made here and freed in the cleanup: this is the
    // effect's job, not derived state
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setUrl(next)
    return () => {
      if (next) URL.revokeObjectURL(next)
    }
  }, [file])
  return url
}
