import { render, screen } from '@testing-library/react'
import { face, info, noFacePrediction, prediction } from '@/test/fixtures'
import { BatchResultCard } from './BatchResultCard'

const renderCard = (row: Parameters<typeof BatchResultCard>[0]['row']) =>
  render(
    <ul>
      <BatchResultCard row={row} limits={info.limits} />
    </ul>,
  )

describe('BatchResultCard', () => {
  it('shows the verdict and the probability that the face is fake', () => {
    renderCard({ index: 0, filename: 'one.jpg', result: prediction() })
    const card = screen.getByTestId('batch-card')
    expect(card).toHaveAttribute('data-state', 'fake')
    expect(screen.getByText('Fake')).toHaveClass('badge--fake')
    expect(screen.getByTestId('batch-probability')).toHaveTextContent('97 % likely fake')
    expect(card).toHaveTextContent('1 face')
  })

  it('shows an uncertain file leaning to one side, never max(p, 1 - p)', () => {
    const result = prediction({
      prediction: 'UNCERTAIN',
      fake_probability: 0.393,
      confidence: 0.607,
      faces: [face({ prediction: 'UNCERTAIN', fake_probability: 0.393, confidence: 0.607 })],
    })
    renderCard({ index: 0, filename: 'maybe.jpg', result })
    expect(screen.getByTestId('batch-probability')).toHaveTextContent('39 % likely fake, leans real')
    expect(screen.getByTestId('batch-card')).not.toHaveTextContent('61')
  })

  it('shows a file with no face as no verdict, in grey, without a number', () => {
    renderCard({ index: 0, filename: 'grey.png', result: noFacePrediction() })
    const card = screen.getByTestId('batch-card')
    expect(card).toHaveAttribute('data-state', 'no-face')
    expect(card).toHaveClass('batch-card--no-face')
    expect(screen.getByText('No face found')).toHaveClass('badge--no-face')
    expect(card).toHaveTextContent('No verdict')
    expect(card).toHaveTextContent('The models judge faces only')
    expect(screen.queryByTestId('batch-probability')).not.toBeInTheDocument()
    expect(screen.queryByRole('img')).not.toBeInTheDocument()
  })

  it('says why a file failed, in plain words', () => {
    renderCard({
      index: 1,
      filename: 'full.jpg',
      error: { index: 1, filename: 'full.jpg', code: 'history_unavailable', detail: 'database is locked' },
    })
    expect(screen.getByTestId('batch-card')).toHaveAttribute('data-state', 'failed')
    expect(screen.getByTestId('batch-error')).toHaveTextContent('The service could not record this analysis.')
  })
})

describe('BatchResultCard while the batch runs', () => {
  it('says a file waits or is being analysed, and opens an analysed one', () => {
    render(
      <ul>
        <BatchResultCard row={{ index: 0, filename: 'one.jpg', result: prediction({ analysis_id: 'b-7' }) }} limits={info.limits} running />
        <BatchResultCard row={{ index: 1, filename: 'two.jpg', pending: 'analysing' }} limits={info.limits} running />
        <BatchResultCard row={{ index: 2, filename: 'three.jpg', pending: 'queued' }} limits={info.limits} running />
      </ul>,
    )
    expect(screen.getByRole('link', { name: 'one.jpg' })).toHaveAttribute('href', '/history/b-7')
    expect(screen.getAllByTestId('batch-status').map((s) => s.textContent)).toEqual(['Done', 'Analysing…', 'Queued'])
    const [, analysing, queued] = screen.getAllByTestId('batch-card')
    expect(analysing).toHaveAttribute('aria-busy', 'true')
    expect(queued).toHaveAttribute('data-state', 'queued')
    expect(queued).not.toHaveTextContent('%')
  })

  it('says which face the verdict of a photo with several faces follows', () => {
    renderCard({
      index: 0,
      filename: 'group.jpg',
      result: prediction({ faces: [face({ fake_probability: 0.2 }), face({ fake_probability: 0.9 })] }),
    })
    expect(screen.getByTestId('batch-card')).toHaveTextContent("2 faces · the verdict is the most likely fake one's")
  })
})
