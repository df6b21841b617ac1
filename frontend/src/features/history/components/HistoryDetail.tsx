import { useCallback } from 'react'
import { ErrorNotice } from '@/components/ErrorNotice'
import { ProvenancePanel } from '@/components/ProvenancePanel'
import { ScoreBar } from '@/components/ScoreBar'
import { TimelineChart, type TimelineSample } from '@/components/TimelineChart'
import { VerdictHeadline } from '@/components/VerdictHeadline'
import { RuleLegend } from '@/components/RuleLegend'
import type { HistoryItem, Provenance } from '@/lib/api-types'
import { describeError } from '@/lib/error-messages'
import { formatBytes, formatDate, formatDuration, formatFakeProbability, sentence, verdictLabel } from '@/lib/format'
import { Link, useRouter } from '@/lib/router'
import { recordedRule, ruleOwner } from '@/lib/rule'
import { useAsync } from '@/lib/use-async'
import { getAnalysis } from '../api/get-analysis'
import { useDeleteAnalysis } from '../hooks/use-delete-analysis'
import { FaceCard } from '@/components/FaceCard'
import { decidingFace } from '@/lib/deciding-face'
import { KeyframeList } from '@/components/KeyframeList'
import { keptFaces, keptKeyframes } from '../utils/kept-media'
import { AnalysisLinks } from '@/components/AnalysisLinks'
import { DeleteButton } from './DeleteButton'


function text(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null
}

function timelineOf(item: HistoryItem): TimelineSample[] {
  const raw = item.details.timeline
  if (!Array.isArray(raw)) return []
  return raw.flatMap((t: unknown) => {
    const point = t as { time_s?: unknown; p?: unknown }
    return typeof point.time_s === 'number'
      ? [{ time_s: point.time_s, p: typeof point.p === 'number' ? point.p : null }]
      : []
  })
}

const LEVELS = new Set(['info', 'notice', 'warning'])

/** The provenance the history kept (analyses recorded before it existed have none); only
 * its well-formed findings, since `details` is free-form JSON. */
function provenanceOf(item: HistoryItem): Provenance | null {
  const raw = item.details.provenance as Partial<Provenance> | undefined
  if (!raw || typeof raw !== 'object' || !Array.isArray(raw.findings)) return null
  const findings = raw.findings.filter(
    (f) => f && typeof f.text === 'string' && typeof f.code === 'string' && LEVELS.has(f.level),
  )
  return findings.length > 0 ? ({ ...raw, findings } as Provenance) : null
}

/** One past analysis: its verdict, scores, faces or timeline; delete it from here. */
export function HistoryDetail({ id }: { id: string }) {
  const { navigate } = useRouter()
  const analysis = useAsync((signal) => getAnalysis(id, signal), id)
  const { remove, pending, error } = useDeleteAnalysis(
    useCallback(() => navigate('/history'), [navigate]),
  )
  const item = analysis.data
  const reason = item ? text(item.details.reason) : null
  const timeline = item ? timelineOf(item) : []
  const provenance = item ? provenanceOf(item) : null
  // the rule that decided, as recorded (null for a record from before rules were kept)
  const rule = item ? recordedRule(item.details) : null
  const faces = (item?.faces ?? []) as { prediction?: string; fake_probability?: number }[]
  const cards = item ? keptFaces(item) : []
  // the face the service recorded as deciding (the cards are the faces when all were kept)
  const deciding =
    item && cards.length > 1 && cards.length === item.faces.length
      ? decidingFace({ faces: cards, deciding_face: item.deciding_face ?? null })
      : undefined
  const keyframes = item ? keptKeyframes(item) : []

  return (
    <div className="page">
      <p className="back">
        <Link to="/history">← History</Link>
      </p>
      {analysis.status === 'error' && (
        <ErrorNotice message={describeError(analysis.error)} />
      )}
      {error && <ErrorNotice message={error} />}
      {item && (
        <article className="detail" data-testid="history-detail">
          <header className="detail__header">
            <h1 className="detail__title">{item.filename}</h1>
            <DeleteButton name={item.filename} busy={pending === item.id} onConfirm={() => void remove(item.id)} />
          </header>
          <VerdictHeadline verdict={item.prediction} fakeProbability={item.fake_probability} />
          <AnalysisLinks id={item.id} filename={item.filename} permalink={false} />
          {reason && <p className="reason">{sentence(reason)}</p>}
          {provenance && <ProvenancePanel provenance={provenance} />}
          <dl className="stats">
            <div className="stats__item">
              <dt>Analysed</dt>
              <dd>{formatDate(item.created_at)}</dd>
            </div>
            <div className="stats__item">
              <dt>Kind</dt>
              <dd>{item.kind}</dd>
            </div>
            <div className="stats__item">
              <dt>Size</dt>
              <dd>{formatBytes(item.size_bytes)}</dd>
            </div>
            <div className="stats__item">
              <dt>Time taken</dt>
              <dd>{formatDuration(item.duration_ms)}</dd>
            </div>
            <div className="stats__item">
              <dt>Models</dt>
              <dd>{item.models.join(', ')}</dd>
            </div>
          </dl>
          {Object.keys(item.model_scores).length > 0 && (
            <section className="panel" aria-labelledby="scores-title">
              <h2 className="panel__title" id="scores-title">
                How sure each model was
              </h2>
              <RuleLegend band={rule} owner={ruleOwner(rule)} />
              <div className="scores">
                {Object.entries(item.model_scores).map(([name, p]) => (
                  <ScoreBar key={name} label={name} value={p} band={rule} />
                ))}
                {/* the combined score, as the live page shows it */}
                {Object.keys(item.model_scores).length > 1 && item.fake_probability != null && (
                  <ScoreBar label="All models (ensemble)" value={item.fake_probability} band={rule} strong />
                )}
              </div>
            </section>
          )}
          {cards.length > 0 && (
            <section className="panel" aria-labelledby="faces-title">
              <h2 className="panel__title" id="faces-title">
                {item.details.face_detected === false
                  ? 'What was analysed'
                  : `${cards.length} face${cards.length > 1 ? 's' : ''}`}
              </h2>
              <div className="faces">
                {cards.map((face, i) => (
                  <FaceCard
                    key={i}
                    face={face}
                    title={item.details.face_detected === false ? 'Whole image' : `Face ${i + 1}`}
                    threshold={rule?.threshold}
                    deciding={face === deciding}
                  />
                ))}
              </div>
            </section>
          )}
          {cards.length === 0 && faces.length > 1 && (
            <section className="panel" aria-labelledby="faces-title">
              <h2 className="panel__title" id="faces-title">
                {faces.length} faces
              </h2>
              <ol className="plain-list">
                {faces.map((f, i) => (
                  <li key={i}>
                    Face {i + 1}:{' '}
                    {f.prediction === 'FAKE' || f.prediction === 'REAL' || f.prediction === 'UNCERTAIN'
                      ? verdictLabel(f.prediction)
                      : '?'}
                    {typeof f.fake_probability === 'number' && ` · ${formatFakeProbability(f.fake_probability)}`}
                  </li>
                ))}
              </ol>
            </section>
          )}
          {timeline.length > 0 && (
            <section className="panel" aria-labelledby="timeline-title">
              <h2 className="panel__title" id="timeline-title">
                Fake probability, frame by frame
              </h2>
              <TimelineChart
                samples={timeline}
                duration_s={Math.max(...timeline.map((t) => t.time_s))}
                decision={rule}
                ruleOwner={ruleOwner(rule)}
              />
            </section>
          )}
          {keyframes.length > 0 && (
            <section className="panel" aria-labelledby="keyframes-title">
              <h2 className="panel__title" id="keyframes-title">
                Most suspicious moments
              </h2>
              <KeyframeList keyframes={keyframes} />
            </section>
          )}
        </article>
      )}
      {!item && analysis.status === 'loading' && <p className="empty">Loading…</p>}
    </div>
  )
}
