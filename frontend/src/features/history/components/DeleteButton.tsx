import { useEffect, useRef, useState } from 'react'

interface DeleteButtonProps {
  /** what is deleted, for screen readers: "clip.avi" */
  name: string
  busy?: boolean
  onConfirm: () => void
}

/** Two steps, no dialog: "Delete", then "Confirm delete" / "Cancel". The confirmation is laid
 * over the place the button keeps (an invisible copy holds it), so asking moves nothing. */
export function DeleteButton({ name, busy = false, onConfirm }: DeleteButtonProps) {
  const [asking, setAsking] = useState(false)
  const deleteRef = useRef<HTMLButtonElement>(null)
  const cancelled = useRef(false)
  useEffect(() => {
    // back from "Cancel": focus returns to the Delete button, not the top of the page
    if (!asking && cancelled.current) {
      cancelled.current = false
      deleteRef.current?.focus()
    }
  }, [asking])
  if (!asking) {
    return (
      <button
        ref={deleteRef}
        type="button"
        className="button button--small button--quiet"
        aria-label={`Delete ${name}`}
        onClick={() => setAsking(true)}
        disabled={busy}
      >
        Delete
      </button>
    )
  }
  return (
    <span className="delete">
      <span className="button button--small button--quiet delete__placeholder" aria-hidden="true">
        Delete
      </span>
      <span className="confirm" data-testid="delete-confirm">
        <button
          type="button"
          className="button button--small button--danger"
          aria-label={`Confirm delete ${name}`}
          onClick={() => {
            setAsking(false)
            onConfirm()
          }}
          autoFocus
        >
          Confirm delete
        </button>
        <button
          type="button"
          className="button button--small button--quiet"
          onClick={() => {
            cancelled.current = true
            setAsking(false)
          }}
        >
          Cancel
        </button>
      </span>
    </span>
  )
}
