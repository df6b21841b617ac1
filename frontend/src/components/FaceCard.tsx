import { useState } from 'react'
import type { FaceResult } from '@/lib/api-types'
import { VerdictBadge } from '@/components/VerdictBadge'
import { formatFakeProbability } from '@/lib/format'

interface FaceCardProps {
  face: FaceResult
  /** "Face 1", or "Whole image" when no face was found */
  title: string
  /** the decision threshold, for the side an UNCERTAIN face leans to */
  threshold?: number
}

/** A face crop with a toggle to lay each model's Grad-CAM heatmap over it. */
export function FaceCard({ face, title, threshold }: FaceCardProps) {
  const models = Object.keys(face.heatmaps ?? {})
  const [shown, setShown] = useState<string | null>(null)
  const heatmap = shown ? face.heatmaps?.[shown] : undefined

  return (
    <figure className="face-card" data-testid="face-card">
      <div className="face-card__image">
        <img src={face.thumbnail} alt={`${title}, as the models saw it`} width={160} height={160} />
        {heatmap && (
          <img
            className="face-card__heatmap"
            src={heatmap}
            alt={`Where ${shown} looked`}
            width={160}
            height={160}
            data-testid="heatmap"
          />
        )}
      </div>
      <figcaption className="face-card__caption">
        <span className="face-card__title">{title}</span>
        <VerdictBadge verdict={face.prediction} />
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
        </div>
      )}
    </figure>
  )
}
