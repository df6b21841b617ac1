import { useState } from 'react'

interface DeleteButtonProps {
  /** what is deleted, for screen readers: "clip.avi" */
  name: string
  busy?: boolean
  onConfirm: () => void
}

/** Two steps, no dialog: "Delete", then "Confirm delete" / "Cancel". */
export function DeleteButton({ name, busy = false, onConfirm }: DeleteButtonProps) {
  const [asking, setAsking] = useState(false)
  if (!asking) {
    return (
      <button
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
    <span className="confirm">
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
      <button type="button" className="button button--small button--quiet" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  )
}
