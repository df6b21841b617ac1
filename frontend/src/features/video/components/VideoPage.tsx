import { useState } from 'react'
import { ErrorNotice } from '@/components/ErrorNotice'
import { PageIntro } from '@/components/PageIntro'
import { ProgressBar } from '@/components/ProgressBar'
import { ProvenancePanel } from '@/components/ProvenancePanel'
import { SideGlow } from '@/components/SideGlow'
import { StabilityNote } from '@/components/StabilityNote'
import { UploadArea } from '@/components/UploadArea'
import { VerdictHeadline } from '@/components/VerdictHeadline'
import { formatBytes } from '@/lib/format'
import { VIDEO_ACCEPT, VIDEO_FORMATS } from '@/lib/formats'
import { useInfo } from '@/lib/info/info-context'
import { useVideoJob } from '../hooks/use-video-job'
import { VideoResult } from './VideoResult'


/** A video in, its frames sampled and scored as a job with live progress. */
export function VideoPage() {
  const info = useInfo()
  const { state, start } = useVideoJob()
  const [frames, setFrames] = useState<string>('')
  const [stability, setStability] = useState(false)
  const busy = state.status === 'uploading' || state.status === 'running'
  const maxFrames = info?.limits.max_video_frames ?? 128
  const framesValue = Number.parseInt(frames, 10)
  const chosenFrames =
    Number.isFinite(framesValue) && framesValue > 0 ? Math.min(framesValue, maxFrames) : undefined
  const result = state.status === 'done' ? state.result : null

  const progress =
    state.status === 'uploading'
      ? { value: null, label: 'Uploading…' }
      : state.status === 'running'
        ? { value: state.progress, label: `Analysing: ${state.stage}` }
        : state.status === 'done'
          ? { value: 1, label: 'Analysis complete' }
          : null

  return (
    <div className="page">
      <PageIntro icon="film" title="Check a video">
        Frames are sampled across the video; each face is scored and the verdict sums them up.
      </PageIntro>
      <UploadArea
        accept={VIDEO_ACCEPT}
        buttonLabel="Choose video"
        prompt={<strong>Drop a video here</strong>}
        hint={`${VIDEO_FORMATS}${info ? `, up to ${formatBytes(info.limits.max_video_bytes)}` : ''}`}
        disabled={busy}
        compact={progress !== null}
        onFiles={([f]) => f && void start(f, chosenFrames, stability)}
      />
      <div className="options options--inline">
        <label className="field field--inline">
          <span>Frames to sample</span>
          <input
            type="number"
            inputMode="numeric"
            min={1}
            max={maxFrames}
            placeholder={String(info?.limits.video_frames ?? 32)}
            value={frames}
            onChange={(e) => setFrames(e.target.value)}
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={stability} onChange={(e) => setStability(e.target.checked)} />
          Check the verdict holds if re-saved, resized or noisy (slower)
        </label>
      </div>

      {state.status === 'failed' && <ErrorNotice message={state.error} />}

      {progress && (
        <section className="analysis analysis--video" aria-label="Video analysis">
          <div className="panel">
            <p className="analysis__file">{state.status !== 'idle' && state.file?.name}</p>
            <ProgressBar value={progress.value} label={progress.label} />
          </div>
          <VerdictHeadline
            verdict={result?.prediction}
            fakeProbability={result?.fake_probability}
            threshold={result?.decision.threshold}
            pendingText={busy ? 'Analysing…' : ''}
          />
          {/* beside the verdict, and apart from it: it never changes the verdict */}
          {result && <ProvenancePanel provenance={result.provenance} />}
          {result?.stability && <StabilityNote stability={result.stability} />}
          {result && <VideoResult result={result} />}
        </section>
      )}
      <SideGlow key={result?.analysis_id ?? 'none'} verdict={result?.prediction} />
    </div>
  )
}
