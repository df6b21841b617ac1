import type { ModelInfo } from '@/lib/api-types'
import { formatDate, formatPercent } from '@/lib/format'
import { useInfo } from '@/lib/info/info-context'
import { leadSentence, robustnessOf } from '../lib/plain-words'
import { Markdown } from './Markdown'
import { RobustnessTable } from './RobustnessTable'
import { ReportImage } from './ReportImage'

const REPORT_TITLES: Record<string, string> = {
  'roc.png': 'ROC curve',
  'confusion_matrix.png': 'Confusion matrix',
  'training_curves.png': 'Training curves',
  'samples.png': 'Validation samples',
}

const METRIC_LABELS: Record<string, string> = {
  roc_auc: 'ROC-AUC',
  accuracy: 'Accuracy',
  balanced_accuracy: 'Balanced accuracy',
  precision: 'Precision (fake)',
  recall: 'Recall (fake)',
  f1: 'F1',
  eer: 'Equal error rate',
  log_loss: 'Log loss',
  samples: 'Validation samples',
}

const RUNTIME_NAMES: Record<string, string> = {
  torch: 'PyTorch',
  onnxruntime: 'ONNX Runtime',
  openvino: 'OpenVINO',
}

const PERCENT_METRICS = new Set(['accuracy', 'balanced_accuracy', 'precision', 'recall', 'eer'])

function formatMetric(key: string, value: unknown): string | null {
  if (typeof value === 'number') {
    if (PERCENT_METRICS.has(key) || key.startsWith('accuracy')) return formatPercent(value)
    return Number.isInteger(value) ? value.toLocaleString() : value.toFixed(4)
  }
  if (typeof value === 'string') return value
  return null // nested values (confusion matrix...) are in the card and the figures
}

function flat(data: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(data).flatMap(([k, v]): [string, string][] => {
    const name = prefix ? `${prefix} ${k}` : k
    if (v && typeof v === 'object' && !Array.isArray(v)) return flat(v as Record<string, unknown>, name)
    if (v == null) return []
    return [[name, Array.isArray(v) ? v.join(', ') : String(v)]]
  })
}

/** One model: what it is, what it was trained on, how well it measured, its figures. */
export function ModelCard({ model }: { model: ModelInfo }) {
  const metrics = Object.entries(model.metrics)
    .map(([k, v]) => [k, formatMetric(k, v)] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== null)
  const data = flat(model.data)
  const band = model.abstain_band
  const served = useInfo()?.runtime[model.name]
  const lead = leadSentence(model.metrics)
  const robustness = robustnessOf(model.metrics)
  const samples = typeof model.metrics.samples === 'number' ? model.metrics.samples : null
  return (
    <article className="model-card" data-testid="model-card" aria-labelledby={`model-${model.name}`}>
      <header className="model-card__header">
        <h2 id={`model-${model.name}`}>{model.name}</h2>
        <p className="model-card__arch">
          <code>{model.arch}</code> · {model.input_size} px input
        </p>
        {served && served.runs_by_default === false && (
          <p className="model-card__unweighted" data-testid="model-unweighted">
            Not run by default: the fitted ensemble gives it weight 0, so it cannot change a
            verdict. It runs when an analysis picks it under Options.
          </p>
        )}
        {served && served.runtime !== 'not started' && (
          <p className="model-card__runtime">
            Served here by {RUNTIME_NAMES[served.runtime] ?? served.runtime} in {served.precision}{' '}
            on {served.device}; heatmaps always by PyTorch
          </p>
        )}
      </header>
      {lead && (
        <p className="model-card__lead" data-testid="model-lead">
          {lead}{' '}
          <span className="model-card__lead-note">
            Measured on {samples ? `${samples.toLocaleString()} ` : ''}faces it did not train on.
          </span>
        </p>
      )}
      <details className="model-card__more">
        <summary>Details: measured figures, decision rule, training data</summary>
        <div className="model-card__facts">
          <section>
            <h3>Measured</h3>
            <dl className="kv">
              {metrics.map(([k, v]) => (
                <div key={k}>
                  <dt>{METRIC_LABELS[k] ?? k.replace(/_/g, ' ')}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
          </section>
          <section>
            <h3>Decision</h3>
            <dl className="kv">
              <div>
                <dt>Threshold</dt>
                <dd>{formatPercent(model.threshold)}</dd>
              </div>
              <div>
                <dt>Uncertain between</dt>
                <dd>
                  {formatPercent(band.low)} – {formatPercent(band.high)}
                </dd>
              </div>
              <div>
                <dt>Temperature</dt>
                <dd>{model.temperature.toFixed(3)}</dd>
              </div>
              <div>
                <dt>Created</dt>
                <dd>{formatDate(model.created)}</dd>
              </div>
            </dl>
          </section>
          {data.length > 0 && (
            <section>
              <h3>Training data</h3>
              <dl className="kv">
                {data.map(([k, v]) => (
                  <div key={k}>
                    <dt>{k.replace(/_/g, ' ')}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            </section>
          )}
        </div>
      </details>
      {robustness && <RobustnessTable robustness={robustness} name={model.name} />}
      {model.reports.length > 0 && (
        <div className="reports">
          {model.reports.map((url) => {
            const file = url.split('/').pop() ?? url
            const title = REPORT_TITLES[file] ?? file.replace(/\.png$/, '').replace(/_/g, ' ')
            return (
              <figure key={url} className="report">
                <ReportImage path={url} alt={`${title} of ${model.name}`} />
                <figcaption>{title}</figcaption>
              </figure>
            )
          })}
        </div>
      )}
      {model.card && (
        <details className="model-card__card">
          <summary>Model card</summary>
          <Markdown source={model.card} headingOffset={2} />
        </details>
      )}
    </article>
  )
}
