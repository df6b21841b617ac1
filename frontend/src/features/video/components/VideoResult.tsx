import { TimelineChart } from '@/components/TimelineChart'
import type { VideoResponse } from '@/lib/api-types'
import { formatClock, formatDuration, sentence } from '@/lib/format'
import { KeyframeList } from './KeyframeList'

/** What came out of a video: figures, the timeline, the keyframes. */
export function VideoResult({ result }: { result: VideoResponse }) {
  const stats = [
    ['Frames analysed', String(result.frames_analyzed)],
    ['Frames with a face', String(result.frames_with_faces)],
    ['Frames judged fake', `${result.fake_percentage.toFixed(0)} %`],
    ['Length', formatClock(result.duration_s)],
    ['Time taken', formatDuration(result.processing_time_ms)],
  ]
  return (
    <>
      {!result.face_detected && (
        <p className="notice notice--info">No face found in the sampled frames.</p>
      )}
      <p className="reason" data-testid="reason">
        {sentence(result.reason)}
      </p>
      <dl className="stats">
        {stats.map(([label, value]) => (
          <div key={label} className="stats__item">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <section className="panel" aria-labelledby="timeline-title">
        <h2 className="panel__title" id="timeline-title">
          Fake probability, frame by frame
        </h2>
        <TimelineChart
          samples={result.timeline.map((t) => ({ time_s: t.time_s, p: t.fake_probability }))}
          duration_s={result.duration_s}
          decision={result.decision}
        />
      </section>
      <section className="panel" aria-labelledby="keyframes-title">
        <h2 className="panel__title" id="keyframes-title">
          Most suspicious moments
        </h2>
        <KeyframeList keyframes={result.keyframes} />
      </section>
    </>
  )
}
