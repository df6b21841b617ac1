import { useEffect, useId, useRef, useState, type DragEvent, type ReactNode } from 'react'

interface UploadAreaProps {
  /** the input's accept list, e.g. "image/*" */
  accept: string
  multiple?: boolean
  /** the button's text: "Choose image" */
  buttonLabel: string
  /** the main line: "Drop a photo here" */
  prompt: ReactNode
  /** a smaller line under the button: formats, limits */
  hint?: ReactNode
  /** take images pasted anywhere on the page (Ctrl+V) */
  acceptPaste?: boolean
  disabled?: boolean
  /** smaller, once something is loaded */
  compact?: boolean
  onFiles: (files: File[]) => void
}

function matchesAccept(file: File, accept: string): boolean {
  return accept.split(',').some((rule) => {
    const r = rule.trim().toLowerCase()
    if (r.endsWith('/*')) return file.type.toLowerCase().startsWith(r.slice(0, -1))
    if (r.startsWith('.')) return file.name.toLowerCase().endsWith(r)
    return file.type.toLowerCase() === r
  })
}

/** The drop zone: drop files on it, paste them, or pick them with the button. */
export function UploadArea({
  accept,
  multiple = false,
  buttonLabel,
  prompt,
  hint,
  acceptPaste = false,
  disabled = false,
  compact = false,
  onFiles,
}: UploadAreaProps) {
  const inputRef = useRef<HTMLInputElement>(null)
  const [dragging, setDragging] = useState(false)
  const hintId = useId()
  // the latest callback, for the document-wide paste listener
  const onFilesRef = useRef(onFiles)
  useEffect(() => {
    onFilesRef.current = onFiles
  }, [onFiles])

  useEffect(() => {
    if (!acceptPaste || disabled) return
    const onPaste = (event: ClipboardEvent) => {
      const target = event.target as HTMLElement | null
      // pasting text into a form field stays a text paste
      if (target?.closest('input, textarea, [contenteditable="true"]')) return
      const files = Array.from(event.clipboardData?.files ?? []).filter((f) =>
        matchesAccept(f, accept),
      )
      if (files.length === 0) return
      event.preventDefault()
      onFilesRef.current(multiple ? files : files.slice(0, 1))
    }
    document.addEventListener('paste', onPaste)
    return () => document.removeEventListener('paste', onPaste)
  }, [accept, acceptPaste, disabled, multiple])

  const take = (list: FileList | null | undefined) => {
    const files = Array.from(list ?? [])
    if (files.length > 0) onFiles(multiple ? files : files.slice(0, 1))
  }

  const onDragOver = (event: DragEvent) => {
    if (disabled) return
    event.preventDefault()
    event.dataTransfer.dropEffect = 'copy'
    setDragging(true)
  }

  const onDrop = (event: DragEvent) => {
    event.preventDefault()
    setDragging(false)
    if (!disabled) take(event.dataTransfer.files)
  }

  return (
    <div
      className={`upload${compact ? ' upload--compact' : ''}${dragging ? ' upload--dragging' : ''}${disabled ? ' upload--disabled' : ''}`}
      onDragOver={onDragOver}
      onDragEnter={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="upload-area"
    >
      <svg className="upload__icon" viewBox="0 0 24 24" aria-hidden="true">
        <path
          d="M12 16V4m0 0-4.5 4.5M12 4l4.5 4.5M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
      <p className="upload__prompt">{prompt}</p>
      <button
        type="button"
        className="button button--primary upload__button"
        onClick={() => inputRef.current?.click()}
        disabled={disabled}
        aria-describedby={hint ? hintId : undefined}
      >
        {buttonLabel}
      </button>
      {hint && (
        <p className="upload__hint" id={hintId}>
          {hint}
        </p>
      )}
      <input
        ref={inputRef}
        className="visually-hidden"
        type="file"
        accept={accept}
        multiple={multiple}
        tabIndex={-1}
        aria-hidden="true"
        onChange={(event) => {
          take(event.target.files)
          event.target.value = '' // choosing the same file again still counts
        }}
      />
    </div>
  )
}
