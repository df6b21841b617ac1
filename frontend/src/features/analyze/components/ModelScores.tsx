import type { DecisionBand, FaceResult } from '@/lib/api-types'
import { ScoreBar } from '@/components/ScoreBar'

interface ModelScoresProps {
  face: FaceResult
  decision: DecisionBand
}

/** Each model's FAKE probability for the deciding face, then their mean (the verdict's). */
export function ModelScores({ face, decision }: ModelScoresProps) {
  const entries = Object.entries(face.model_probabilities)
  return (
    <section className="panel" aria-labelledby="model-scores-title">
      <h2 className="panel__title" id="model-scores-title">
        How sure each model is
      </h2>
      <p className="panel__note">
        Probability that the face is fake; the mark is the decision threshold.
      </p>
      <div className="scores">
        {entries.map(([name, p]) => (
          <ScoreBar key={name} label={name} value={p} band={decision} />
        ))}
        {entries.length > 1 && (
          <ScoreBar label="All models (ensemble)" value={face.fake_probability} band={decision} strong />
        )}
      </div>
    </section>
  )
}
