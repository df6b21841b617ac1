import { useCallback, useState } from 'react'
import { describeError, type ErrorMessage } from '@/lib/error-messages'
import { deleteAnalysis } from '../api/delete-analysis'

/** Delete one past analysis; `onDeleted` runs once it is gone. */
export function useDeleteAnalysis(onDeleted: (id: string) => void) {
  const [pending, setPending] = useState<string | null>(null)
  const [error, setError] = useState<ErrorMessage | null>(null)
  const remove = useCallback(
    async (id: string) => {
      setPending(id)
      setError(null)
      try {
        await deleteAnalysis(id)
        onDeleted(id)
      } catch (e) {
        setError(describeError(e))
      } finally {
        setPending(null)
      }
    },
    [onDeleted],
  )
  return { remove, pending, error }
}
