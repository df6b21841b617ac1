import { screen, within } from '@testing-library/react'
import { info, model } from '@/test/fixtures'
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

  it('says what serves each model here, from /api/info', async () => {
    mockApi({
      'GET /api/models': { body: [model()] },
      'GET /api/info': {
        body: { ...info, runtime: { fake_a: { device: 'cpu', runtime: 'openvino', precision: 'bf16', runs_by_default: true } } },
      },
    })
    renderApp(<ModelsPage />, { path: '/models' })
    const card = await screen.findByTestId('model-card')
    expect(
      await within(card).findByText(/Served here by OpenVINO in bf16 on cpu/),
    ).toBeInTheDocument()
  })

  it('says when a model does not run by default (ensemble weight 0)', async () => {
    const runtime = { device: 'cpu', runtime: 'not started', precision: 'not started', runs_by_default: false }
    mockApi({
      'GET /api/models': { body: [model()] },
      'GET /api/info': { body: { ...info, default_models: ['real_c'], runtime: { fake_a: runtime } } },
    })
    renderApp(<ModelsPage />, { path: '/models' })
    const card = await screen.findByTestId('model-card')
    expect(await within(card).findByTestId('model-unweighted')).toHaveTextContent(
      /Not run by default: the fitted ensemble gives it weight 0/,
    )
    expect(within(card).queryByText(/Served here by/)).not.toBeInTheDocument()
  })

  it('explains a failure to load', async () => {
    mockApi({ 'GET /api/models': { status: 503, body: { code: 'not_ready', detail: 'no model is loaded' } } })
    renderApp(<ModelsPage />, { path: '/models' })
    expect(await screen.findByRole('alert')).toHaveTextContent('The models are still loading.')
  })
})
