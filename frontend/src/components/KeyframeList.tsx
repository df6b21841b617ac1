import type { Keyframe } from '@/lib/api-types'
import { formatFakeProbability, formatTimestamp } from '@/lib/format'

/** The most suspicious moments of a video: the face crop, when, how fake. */
export function KeyframeList({ keyframes }: { keyframes: Keyframe[] }) {
  if (keyframes.length === 0) return <p className="panel__note">No frame showed a face.</p>
  return (
    <ol className="keyframes">
      {keyframes.map((k) => (
        <li key={k.frame} className="keyframe" data-testid="keyframe">
          <img src={k.thumbnail} alt={`Face at ${formatTimestamp(k.time_s)}`} width={120} height={120} />
          <span className="keyframe__time">{formatTimestamp(k.time_s)}</span>
          <span className="keyframe__p">{formatFakeProbability(k.fake_probability)}</span>
        </li>
      ))}
    </ol>
  )
}
