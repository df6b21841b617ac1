import { useState } from 'react'
import { ErrorNotice } from '@/components/ErrorNotice'
import { PageIntro } from '@/components/PageIntro'
import { ProvenancePanel } from '@/components/ProvenancePanel'
import { SideGlow } from '@/components/SideGlow'
import { StabilityNote } from '@/components/StabilityNote'
import { UploadArea } from '@/components/UploadArea'
import { VerdictHeadline } from '@/components/VerdictHeadline'
import { formatBytes, formatDuration, formatFakePercent, sentence } from '@/lib/format'
import { IMAGE_FORMATS } from '@/lib/formats'
import { useInfo } from '@/lib/info/info-context'
import { AnalysisLinks } from '@/components/AnalysisLinks'
import { decidingFace } from '@/lib/deciding-face'
import { useObjectUrl } from '@/lib/use-object-url'
import { changedOptions } from '../hooks/analyze-state'
import { useAnalyzeImage, type AnalyzeOptions } from '../hooks/use-analyze-image'
import { AnalyzeOptionsForm } from './AnalyzeOptionsForm'
import { FaceCard } from '@/components/FaceCard'
import { ImagePreview } from './ImagePreview'
import { ModelScores } from './ModelScores'
import { photoStepText } from './photo-step'

const STEPS = [
  ['Add a photo', 'Drop it, paste it, or choose it. It is analysed on this service only.'],
  ['Faces are found', 'Each face is cropped and scored by every model.'],
  ['See the verdict', 'Real, fake or uncertain, how sure, and where the models looked.'],
] as const

/** "a", "a and b", "a, b and c" */
function listOf(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}

/** The home screen: one image in, a verdict per face out. */
export function AnalyzePage() {
  const info = useInfo()
  const [options, setOptions] = useState<AnalyzeOptions>({
    models: [],
    tta: false,
    explain: true,
    wholeImage: false,
    stability: false,
  })
  const { state, analyze, step } = useAnalyzeImage()
  const file = state.status === 'loading' || state.status === 'success' ? state.file : null
  const url = useObjectUrl(file)
  const result = state.status === 'success' ? state.result : null
  const top = result ? decidingFace(result) : undefined
  // with several faces found, the verdict is one face's: say which
  const topIndex = result && top && result.face_detected && result.faces.length > 1 ? result.faces.indexOf(top) : -1
  // other faces with the very same probability (the service keeps the first of them)
  const tied =
    result && top && topIndex >= 0
      ? result.faces.flatMap((f, i) => (i !== topIndex && f.fake_probability === top.fake_probability ? [i] : []))
      : []
  const noFace = result?.prediction === 'NO_FACE'
  // options changed since the result shown: offer to analyse the same file again
  const usedOptions = state.status === 'success' ? state.options : undefined
  const changes = result && usedOptions ? changedOptions(usedOptions, options, { noFace }) : []
  const rerun = () => file && void analyze(file, options)
  // this file only: the option in Options stays as the user set it
  const scoreWholeImage = () => file && void analyze(file, { ...options, wholeImage: true })

  return (
    <div className="page page--analyze">
      <PageIntro icon="face" title="Hello! Is this face real?">
        Drop in a photo and FaceProof checks every face for signs of a deepfake in about a
        second.
      </PageIntro>

      <UploadArea
        accept="image/*"
        buttonLabel="Choose image"
        prompt={
          <>
            <strong>Drop a photo here</strong>
            <span className="upload__paste"> or paste it (Ctrl+V)</span>
          </>
        }
        hint={`${IMAGE_FORMATS}${info ? `, up to ${formatBytes(info.limits.max_image_bytes)}` : ''}`}
        acceptPaste
        compact={file !== null}
        onFiles={([f]) => f && void analyze(f, options)}
      />
      {info && info.models.length > 0 && (
        <AnalyzeOptionsForm
          available={info.models}
          defaults={info.default_models}
          value={options}
          onChange={setOptions}
        />
      )}
      {changes.length > 0 && (
        <div className="notice notice--info rerun" data-testid="rerun" aria-live="polite">
          <p>
            You changed {listOf(changes)} since this result. Analyse {file?.name ? `“${file.name}”` : 'this image'}{' '}
            again with the new options? No need to upload it again.
          </p>
          <button type="button" className="button button--small button--primary" onClick={rerun}>
            Re-run with the new options
          </button>
        </div>
      )}

      {state.status === 'error' && (
        <ErrorNotice
          message={state.error}
          onRetry={state.retryable && state.file ? () => void analyze(state.file as File, options) : undefined}
        />
      )}

      {file && url ? (
        <section className="analysis" aria-label="Analysis">
          <div className="analysis__verdict">
            <VerdictHeadline
              verdict={result?.prediction}
              fakeProbability={result?.fake_probability}
              threshold={result?.decision.threshold}
              pendingText="Analysing…"
            />
            {/* the service's own stage, once the analysis takes over a second */}
            <p className="analysis__step" data-testid="analysis-step" aria-live="polite">
              {step ? photoStepText(step) : ''}
            </p>
          </div>
          <div className="analysis__preview">
            <ImagePreview url={url} filename={file.name} result={result} decidingFace={top} />
            <p className="analysis__file">
              {file.name || 'Pasted image'}
              {result && <> · analysed in {formatDuration(result.processing_time_ms)}</>}
            </p>
            {result && <AnalysisLinks id={result.analysis_id} filename={result.filename} />}
          </div>
          <div className="analysis__details">
            {/* beside the verdict, and apart from it: it never changes the verdict */}
            {result && <ProvenancePanel provenance={result.provenance} />}
            {result && noFace && (
              <>
                <p className="reason" data-testid="reason">
                  {sentence(result.reason)}
                </p>
                <div className="notice notice--neutral" data-testid="no-face-hint">
                  <div>
                    <p>
                      If this photo is a tight crop of a face that the detector missed, the whole
                      image can be scored as a face instead.
                    </p>
                    <button type="button" className="button button--small" onClick={scoreWholeImage}>
                      Score the whole image
                    </button>
                  </div>
                </div>
              </>
            )}
            {result && !noFace && (
              <>
                {!result.face_detected && (
                  <p className="notice notice--info" data-testid="no-face">
                    No face found — the whole image was scored as a face, as asked.
                  </p>
                )}
                <p className="reason" data-testid="reason">
                  {/* the notice above already says there was no face */}
                  {sentence(result.face_detected ? result.reason : result.reason.replace(/^no face found:[^;]*;\s*/i, ''))}
                </p>
                {result.stability && <StabilityNote stability={result.stability} />}
                {top && topIndex >= 0 && (
                  <p className="deciding" data-testid="deciding-face">
                    The verdict follows <strong>face {topIndex + 1}</strong>, the one most likely fake (
                    {formatFakePercent(top.fake_probability)}
                    {tied.length > 0 && `; ${listOf(tied.map((i) => `face ${i + 1}`))} score the same, and the first found decides`}
                    ): with several faces, the most suspicious decides, so one face likely fake is enough to flag the
                    photo.
                  </p>
                )}
                {top && (
                  <ModelScores
                    face={top}
                    decision={result.decision}
                    faceTitle={topIndex >= 0 ? `Face ${topIndex + 1}` : undefined}
                  />
                )}
                <section className="panel" aria-labelledby="faces-title">
                  <h2 className="panel__title" id="faces-title">
                    {result.face_detected
                      ? `${result.faces.length} face${result.faces.length > 1 ? 's' : ''}`
                      : 'What was analysed'}
                  </h2>
                  <div className="faces">
                    {result.faces.map((face, i) => (
                      <FaceCard
                        key={i}
                        face={face}
                        title={result.face_detected ? `Face ${i + 1}` : 'Whole image'}
                        threshold={result.decision.threshold}
                        deciding={i === topIndex}
                      />
                    ))}
                  </div>
                  {result.faces.every((f) => !f.heatmaps) && (
                    <p className="panel__note">
                      Turn on “Show where the models looked” in Options to see heatmaps.
                    </p>
                  )}
                </section>
              </>
            )}
          </div>
        </section>
      ) : (
        state.status !== 'error' && (
          <ol className="steps" aria-label="How it works">
            {STEPS.map(([title, text], i) => (
              <li key={title} className="steps__item">
                <span className="steps__number" aria-hidden="true">
                  {i + 1}
                </span>
                <span>
                  <strong>{title}</strong>
                  <br />
                  {text}
                </span>
              </li>
            ))}
          </ol>
        )
      )}

      <SideGlow key={result?.analysis_id ?? 'none'} verdict={result?.prediction} />
    </div>
  )
}
