import { ErrorNotice } from '@/components/ErrorNotice'
import { PageIntro } from '@/components/PageIntro'
import { describeError } from '@/lib/error-messages'
import { useAsync } from '@/lib/use-async'
import { getModels } from '../api/get-models'
import { ModelCard } from './ModelCard'

/** The loaded models, each with its card. */
export function ModelsPage() {
  const models = useAsync(getModels, 'models')
  return (
    <div className="page">
      <PageIntro icon="chip" title="The models">
        What each model is, what it learned from, and how well it measured on data it did not
        train on.
      </PageIntro>
      {models.status === 'error' && (
        <ErrorNotice message={describeError(models.error)} onRetry={models.reload} />
      )}
      {models.status === 'loading' && !models.data && <p className="empty">Loading…</p>}
      {models.data && models.data.length === 0 && <p className="empty">No model is loaded.</p>}
      <div className="model-list">
        {models.data?.map((m) => <ModelCard key={m.name} model={m} />)}
      </div>
    </div>
  )
}
