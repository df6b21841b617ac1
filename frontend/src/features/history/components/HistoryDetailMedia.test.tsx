import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { historyItem } from '@/test/fixtures'
import { mockApi } from '@/test/mock-api'
import { renderApp } from '@/test/render'
import { HistoryDetail } from './HistoryDetail'

const JPEG = 'data:image/jpeg;base64,AAAA'
const PNG = 'data:image/png;base64,BBBB'

describe('HistoryDetail shows what the live page showed', () => {
  it('the face crops and heatmaps of a photo, and its report', async () => {
    const item = historyItem({
      id: 'p7',
      models: ['fake_a', 'real_c'],
      model_scores: { fake_a: 0.9, real_c: 0.3 },
      faces: [
        { box: { x: 1, y: 2, width: 30, height: 30 }, fake_probability: 0.6, prediction: 'FAKE', model_probabilities: { fake_a: 0.9, real_c: 0.3 } },
        { box: { x: 40, y: 2, width: 30, height: 30 }, fake_probability: 0.1, prediction: 'REAL', model_probabilities: {} },
      ],
      deciding_face: 0,
      details: {
        reason: 'fake',
        face_detected: true,
        decision: { threshold: 0.5, low: 0.3, high: 0.55 },
        crops: [JPEG, JPEG],
        heatmaps: [{ fake_a: PNG }, null],
      },
    })
    mockApi({ 'GET /api/history/p7': { body: item } })
    renderApp(<HistoryDetail id="p7" />, { path: '/history/p7' })

    const cards = await screen.findAllByTestId('face-card')
    expect(cards).toHaveLength(2)
    // the face that decided, as on the live page
    expect(cards.map((c) => c.dataset.deciding ?? '')).toEqual(['true', ''])
    expect(screen.getByRole('heading', { name: '2 faces' })).toBeInTheDocument()
    expect(screen.getByAltText('Face 1, as the models saw it')).toHaveAttribute('src', JPEG)
    await userEvent.click(screen.getByRole('button', { name: 'fake_a' }))
    expect(screen.getByTestId('heatmap')).toHaveAttribute('src', PNG)
    expect(screen.getByText('All models (ensemble)')).toBeInTheDocument() // the combined score
    expect(screen.getByRole('button', { name: 'Download report' })).toBeInTheDocument()
    expect(screen.queryByTestId('permalink')).not.toBeInTheDocument() // this page is the permalink
  })

  it('the keyframes of a video', async () => {
    const item = historyItem({
      id: 'v3',
      kind: 'video',
      filename: 'clip.avi',
      model_scores: {},
      details: {
        timeline: [{ time_s: 0, p: 0.7 }, { time_s: 1, p: 0.8 }],
        keyframes: [
          { frame: 5, time_s: 1, fake_probability: 0.8, thumbnail: JPEG, box: { x: 0, y: 0, width: 9, height: 9 } },
          { frame: 6, time_s: 1.2, fake_probability: 0.7, thumbnail: 'https://elsewhere/x.jpg', box: { x: 0, y: 0, width: 9, height: 9 } },
        ],
      },
    })
    mockApi({ 'GET /api/history/v3': { body: item } })
    renderApp(<HistoryDetail id="v3" />, { path: '/history/v3' })
    expect(await screen.findByRole('heading', { name: 'Most suspicious moments' })).toBeInTheDocument()
    // only a data URL is shown: the record is free-form JSON
    expect(screen.getAllByTestId('keyframe')).toHaveLength(1)
  })

  it('an older record without crops lists its faces as before', async () => {
    const item = historyItem({
      id: 'o2',
      faces: [
        { fake_probability: 0.6, prediction: 'FAKE' },
        { fake_probability: 0.1, prediction: 'REAL' },
      ],
    })
    mockApi({ 'GET /api/history/o2': { body: item } })
    renderApp(<HistoryDetail id="o2" />, { path: '/history/o2' })
    expect(await screen.findByRole('heading', { name: '2 faces' })).toBeInTheDocument()
    expect(screen.queryByTestId('face-card')).not.toBeInTheDocument()
  })
})
