import type { DecisionBand, FaceResult } from '@/lib/api-types'
import { RuleLegend } from '@/components/RuleLegend'
import { ScoreBar } from '@/components/ScoreBar'
import { ruleOwner } from '@/lib/rule'

interface ModelScoresProps {
  face: FaceResult
  decision: DecisionBand
  /** with several faces, which one these scores are of ("Face 2") */
  faceTitle?: string
}

/** Each model's FAKE probability for the deciding face, then their mean (the verdict's). */
export function ModelScores({ face, decision, faceTitle }: ModelScoresProps) {
  const entries = Object.entries(face.model_probabilities)
  return (
    <section className="panel" aria-labelledby="model-scores-title">
      <h2 className="panel__title" id="model-scores-title">
        How sure each model is
      </h2>
      <p className="panel__note">
        Probability that {faceTitle ? `${faceTitle.toLowerCase()}, the face that decides,` : 'the face'} is
        fake, each bar drawn over the regions of the rule that decided.
      </p>
      <RuleLegend band={decision} owner={ruleOwner(decision)} />
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
