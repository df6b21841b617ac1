import { render, screen } from '@testing-library/react'
import { TimelineChart } from './TimelineChart'

const decision = { threshold: 0.5, low: 0.4, high: 0.6 }

describe('TimelineChart', () => {
  it('draws the threshold line at its height', () => {
    render(<TimelineChart samples={[{ time_s: 0, p: 0.2 }]} duration_s={2} decision={{ ...decision, threshold: 0.75 }} />)
    const line = screen.getByTestId('threshold-line')
    expect(line.getAttribute('y1')).toBe('75') // (1 - 0.75) * 300
  })

  it('breaks the line where no face was found', () => {
    const { container } = render(
      <TimelineChart
        samples={[
          { time_s: 0, p: 0.7 },
          { time_s: 1, p: 0.8 },
          { time_s: 2, p: null },
          { time_s: 3, p: 0.9 },
        ]}
        duration_s={3}
        decision={decision}
      />,
    )
    expect(container.querySelectorAll('polyline')).toHaveLength(2)
    expect(container.querySelectorAll('.timeline__dot--fake')).toHaveLength(3)
  })

  it('describes itself for screen readers', () => {
    render(
      <TimelineChart
        samples={[
          { time_s: 0, p: 0.2 },
          { time_s: 65, p: 0.9 },
        ]}
        duration_s={70}
        decision={decision}
      />,
    )
    expect(screen.getByRole('img')).toHaveAccessibleName(
      'Fake probability over 1:10: 2 of 2 frames with a face, highest 90 % likely fake at 1:05; threshold 50 %.',
    )
  })

  it('says so when no frame had a face', () => {
    render(<TimelineChart samples={[{ time_s: 0, p: null }]} duration_s={1} decision={decision} />)
    expect(screen.getByRole('img')).toHaveAccessibleName('No frame showed a face.')
  })
})
