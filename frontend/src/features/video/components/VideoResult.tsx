import { TimelineChart } from '@/components/TimelineChart'
import type { VideoResponse } from '@/lib/api-types'
import { formatClock, formatDuration, sentence } from '@/lib/format'
import { ruleOwner } from '@/lib/rule'
import { AnalysisLinks } from '@/components/AnalysisLinks'
import { KeyframeList } from '@/components/KeyframeList'

/** What came out of a video: figures, the timeline, the keyframes; with no face in any
 * sampled frame (NO_FACE), the figures and the reason only. */
export function VideoResult({ result }: { result: VideoResponse }) {
  const noFace = result.prediction === 'NO_FACE'
  const stats = [
    ['Frames analysed', String(result.frames_analyzed)],
    ['Frames with a face', String(result.frames_with_faces)],
    // a share of the frames with a face: none, no share
    ['Frames judged fake', noFace ? '–' : `${result.fake_percentage.toFixed(0)} %`],
    ['Length', formatClock(result.duration_s)],
    ['Time taken', formatDuration(result.processing_time_ms)],
  ]
  const scaled = result.downscaled
  if (scaled) {
    stats.push([
      'Frames analysed at',
      `${scaled.analysed.width}×${scaled.analysed.height} (video ${scaled.original.width}×${scaled.original.height})`,
    ])
  }
  return (
    <>
      <AnalysisLinks id={result.analysis_id} filename={result.filename} />
      {!result.face_detected && !noFace && (
        <p className="notice notice--info">No face found in the sampled frames: the whole frames were scored, as asked.</p>
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
      {!noFace && (
        <>
          <section className="panel" aria-labelledby="timeline-title">
            <h2 className="panel__title" id="timeline-title">
              Fake probability, frame by frame
            </h2>
            <TimelineChart
              samples={result.timeline.map((t) => ({ time_s: t.time_s, p: t.fake_probability }))}
              duration_s={result.duration_s}
              decision={result.decision}
              ruleOwner={ruleOwner(result.decision)}
            />
          </section>
          <section className="panel" aria-labelledby="keyframes-title">
            <h2 className="panel__title" id="keyframes-title">
              Most suspicious moments
            </h2>
            <KeyframeList keyframes={result.keyframes} />
          </section>
        </>
      )}
    </>
  )
}
