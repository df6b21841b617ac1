import { useState, type CSSProperties } from 'react'
import type { FaceResult, PredictionResponse } from '@/lib/api-types'
import { formatFakeProbability, verdictLabel, verdictSlug } from '@/lib/format'

function labelOf(face: FaceResult): string {
  return `${verdictLabel(face.prediction)} · ${formatFakeProbability(face.fake_probability)}`
}

interface ImagePreviewProps {
  url: string
  filename: string
  /** the result, once there: draws its face boxes */
  result?: PredictionResponse | null
  decidingFace?: FaceResult | null
}

/**
 * The uploaded image in a frame of fixed proportions (so neither the image loading nor the
 * result arriving moves the page), with each detected face boxed in its verdict's colour.
 */
export function ImagePreview({ url, filename, result, decidingFace }: ImagePreviewProps) {
  const [natural, setNatural] = useState<{ w: number; h: number } | null>(null)
  const width = result?.image.width ?? natural?.w ?? 1
  const height = result?.image.height ?? natural?.h ?? 1
  const style = { '--ar': `${width} / ${height}`, '--ratio': width / height } as CSSProperties
  const faces = result?.face_detected ? result.faces : []

  return (
    <div className="preview" data-testid="preview">
      <div className="preview__inner" style={style} data-ready={natural ? 'true' : 'false'}>
        <img
          src={url}
          alt={`The uploaded image, ${filename}`}
          onLoad={(e) => setNatural({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
        />
        {faces.map((face, i) => (
          <div
            key={i}
            className={`face-box face-box--${verdictSlug(face.prediction)}${face === decidingFace && faces.length > 1 ? ' face-box--deciding' : ''}`}
            style={{
              left: `${(face.box.x / width) * 100}%`,
              top: `${(face.box.y / height) * 100}%`,
              width: `${(face.box.width / width) * 100}%`,
              height: `${(face.box.height / height) * 100}%`,
            }}
            data-testid="face-box"
            title={`${faces.length > 1 ? `Face ${i + 1}: ` : ''}${labelOf(face)}${face === decidingFace && faces.length > 1 ? ' · decides the verdict' : ''}`}
          >
            {/* several faces: only the number, so labels of faces side by side never
                overlap; the face cards below carry the verdicts under the same numbers */}
            <span className="face-box__label">{faces.length > 1 ? i + 1 : labelOf(face)}</span>
          </div>
        ))}
      </div>
    </div>
  )
}
