import { screen, within } from '@testing-library/react'
import { model } from '@/test/fixtures'
import { mockApi } from '@/test/mock-api'
import { renderApp } from '@/test/render'
import { ModelsPage } from './ModelsPage'

describe('ModelsPage', () => {
  it('shows each model card: architecture, metrics, data, figures', async () => {
    mockApi({ 'GET /api/models': { body: [model(), model({ name: 'real_c', reports: [] })] } })
    renderApp(<ModelsPage />, { path: '/models' })
    const cards = await screen.findAllByTestId('model-card')
    expect(cards).toHaveLength(2)
    const first = within(cards[0] as HTMLElement)
    expect(first.getByRole('heading', { name: 'fake_a' })).toBeInTheDocument()
    expect(first.getByText('efficientnet_lite0')).toBeInTheDocument()
    expect(first.getByText('ROC-AUC', { selector: 'dt' }).nextSibling).toHaveTextContent('0.9120')
    expect(first.getByText('Accuracy').nextSibling).toHaveTextContent('87.4%')
    expect(first.getByText('total images').nextSibling).toHaveTextContent('12000')
    expect(first.getByRole('img', { name: 'ROC curve of fake_a' })).toHaveAttribute(
      'src',
      '/api/models/fake_a/reports/roc.png',
    )
  })

  it('explains a failure to load', async () => {
    mockApi({ 'GET /api/models': { status: 503, body: { code: 'not_ready', detail: 'no model is loaded' } } })
    renderApp(<ModelsPage />, { path: '/models' })
    expect(await screen.findByRole('alert')).toHaveTextContent('The models are still loading.')
  })
})
