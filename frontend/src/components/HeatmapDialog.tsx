import { useEffect, useId, useRef, type KeyboardEvent } from 'react'
import { createPortal } from 'react-dom'
import { HeatmapLegend } from './HeatmapLegend'

interface HeatmapDialogProps {
  /** "Face 2" */
  title: string
  thumbnail: string
  /** model name -> heatmap data URL */
  heatmaps: Record<string, string>
  /** the model whose map is shown */
  model: string
  onModel: (model: string) => void
  onClose: () => void
}

const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])'

/**
 * A face's heatmap, large, over the page: a modal dialog (focus moves in and stays in,
 * Escape, the close button or a click beside it closes it, and focus goes back to what
 * opened it), with the legend and the other models' maps a click away.
 */
export function HeatmapDialog({ title, thumbnail, heatmaps, model, onModel, onClose }: HeatmapDialogProps) {
  const titleId = useId()
  const dialog = useRef<HTMLDivElement>(null)
  const close = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null
    close.current?.focus()
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault()
        onClose()
      }
    }
    document.addEventListener('keydown', onKey)
    const overflow = document.body.style.overflow
    document.body.style.overflow = 'hidden'
    return () => {
      document.removeEventListener('keydown', onKey)
      document.body.style.overflow = overflow
      opener?.focus()
    }
  }, [onClose])

  // Tab and Shift+Tab go round the dialog's controls
  const trap = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Tab' || !dialog.current) return
    const items = [...dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)]
    const first = items[0]
    const last = items[items.length - 1]
    if (!first || !last) return
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault()
      last.focus()
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault()
      first.focus()
    }
  }

  const models = Object.keys(heatmaps)
  // on the page's body: no card's box or animation can clip or move it
  return createPortal(
    <div className="heat-dialog__backdrop" onClick={onClose} data-testid="heatmap-backdrop">
      <div
        ref={dialog}
        className="heat-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={trap}
        data-testid="heatmap-dialog"
      >
        <div className="heat-dialog__head">
          <h2 className="heat-dialog__title" id={titleId}>
            {title}: where {model} looked
          </h2>
          <button ref={close} type="button" className="button button--small" onClick={onClose}>
            Close
          </button>
        </div>
        <div className="heat-dialog__image">
          <img src={thumbnail} alt={`${title}, as the models saw it`} />
          <img className="heat-dialog__heatmap" src={heatmaps[model]} alt={`Where ${model} looked, large`} />
        </div>
        {models.length > 1 && (
          <div className="toggle" role="group" aria-label="Heatmap of the model">
            {models.map((name) => (
              <button
                key={name}
                type="button"
                className="toggle__option"
                aria-pressed={name === model}
                onClick={() => onModel(name)}
              >
                {name}
              </button>
            ))}
          </div>
        )}
        <HeatmapLegend />
      </div>
    </div>,
    document.body,
  )
}
