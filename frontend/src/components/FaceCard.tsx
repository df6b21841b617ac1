import { useCallback, useState } from 'react'
import type { FaceResult } from '@/lib/api-types'
import { VerdictBadge } from '@/components/VerdictBadge'
import { formatFakeProbability } from '@/lib/format'
import { HeatmapDialog } from './HeatmapDialog'
import { HeatmapLegend } from './HeatmapLegend'

interface FaceCardProps {
  face: FaceResult
  /** "Face 1", or "Whole image" when no face was found */
  title: string
  /** the decision threshold, for the side an UNCERTAIN face leans to */
  threshold?: number
  /** this face decides the photo's verdict (said when the photo has several faces) */
  deciding?: boolean
}

/** A face crop with a toggle to lay each model's Grad-CAM heatmap over it; a shown heatmap
 * comes with its legend and opens large on a click. */
export function FaceCard({ face, title, threshold, deciding = false }: FaceCardProps) {
  const models = Object.keys(face.heatmaps ?? {})
  const [shown, setShown] = useState<string | null>(null)
  const [large, setLarge] = useState(false)
  const heatmap = shown ? face.heatmaps?.[shown] : undefined
  const closeLarge = useCallback(() => setLarge(false), [])

  return (
    <figure
      className={`face-card${deciding ? ' face-card--deciding' : ''}`}
      data-testid="face-card"
      data-deciding={deciding ? 'true' : undefined}
    >
      <div className="face-card__image">
        <img src={face.thumbnail} alt={`${title}, as the models saw it`} width={160} height={160} />
        {heatmap && (
          <button
            type="button"
            className="face-card__enlarge"
            onClick={() => setLarge(true)}
            aria-label={`Enlarge the heatmap of ${shown} on ${title}`}
            title="Click to enlarge"
          >
            <img
              className="face-card__heatmap"
              src={heatmap}
              alt={`Where ${shown} looked`}
              width={160}
              height={160}
              data-testid="heatmap"
            />
          </button>
        )}
      </div>
      <figcaption className="face-card__caption">
        <span className="face-card__title">{title}</span>
        <VerdictBadge verdict={face.prediction} />
        {deciding && (
          <span className="face-card__deciding" data-testid="deciding-tag">
            Decides the verdict
          </span>
        )}
        <span className="face-card__p">{formatFakeProbability(face.fake_probability, face.prediction, threshold)}</span>
      </figcaption>
      {models.length > 0 && (
        <div className="face-card__heatmaps">
          <span className="face-card__heatmaps-label" aria-hidden="true">
            Where the models looked
          </span>
          <div className="toggle" role="group" aria-label={`Heatmap on ${title}`}>
            <button
              type="button"
              className="toggle__option"
              aria-pressed={shown === null}
              onClick={() => setShown(null)}
            >
              Face
            </button>
            {models.map((name) => (
              <button
                key={name}
                type="button"
                className="toggle__option"
                aria-pressed={shown === name}
                onClick={() => setShown(name)}
                title={`Grad-CAM heatmap of ${name}`}
              >
                {name}
              </button>
            ))}
          </div>
          {heatmap && (
            <>
              <HeatmapLegend />
              <button type="button" className="button button--small face-card__open" onClick={() => setLarge(true)}>
                Enlarge
              </button>
            </>
          )}
        </div>
      )}
      {large && shown && face.heatmaps && (
        <HeatmapDialog
          title={title}
          thumbnail={face.thumbnail}
          heatmaps={face.heatmaps}
          model={shown}
          onModel={setShown}
          onClose={closeLarge}
        />
      )}
    </figure>
  )
}
