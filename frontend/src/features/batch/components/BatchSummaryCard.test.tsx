import { render, screen } from '@testing-library/react'
import { BatchSummaryCard } from './BatchSummaryCard'

describe('BatchSummaryCard', () => {
  it('counts each outcome, files with no face among them, and the time', () => {
    render(
      <BatchSummaryCard
        summary={{ total: 5, real: 1, fake: 1, uncertain: 1, no_face: 1, failed: 1, processing_time_ms: 1344 }}
      />,
    )
    for (const kind of ['real', 'fake', 'uncertain', 'no-face', 'failed']) {
      expect(screen.getByTestId(`summary-${kind}`).querySelector('dd')).toHaveTextContent('1')
    }
    expect(screen.getByTestId('summary-total')).toHaveTextContent('Total5')
    expect(screen.getByTestId('summary-no-face')).toHaveTextContent('No face')
    expect(screen.getByTestId('summary-time')).toHaveTextContent('Analysed in 1.3 s')
  })
})
