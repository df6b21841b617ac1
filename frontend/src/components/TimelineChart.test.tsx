import { render, screen } from '@testing-library/react'
import { TimelineChart } from './TimelineChart'

const decision = { threshold: 0.5, low: 0.4, high: 0.6 }

describe('TimelineChart', () => {
  it("draws and labels the rule's REAL / UNCERTAIN / FAKE regions, cut at low and high", () => {
    const { container } = render(
      <TimelineChart samples={[{ time_s: 0, p: 0.2 }]} duration_s={2} decision={{ threshold: 0.3, low: 0.201, high: 0.44 }} ruleOwner="the ensemble's rule" />,
    )
    const regions = screen.getAllByTestId('timeline-region')
    expect(regions.map((r) => r.getAttribute('class'))).toEqual([
      'timeline__region timeline__region--real',
      'timeline__region timeline__region--uncertain',
      'timeline__region timeline__region--fake',
    ])
    // the uncertain region spans y(0.44) = 168 to y(0.201) = 239.7
    expect(Number(regions[1]!.getAttribute('y'))).toBeCloseTo(168)
    expect(Number(regions[1]!.getAttribute('height'))).toBeCloseTo(71.7)
    expect(screen.getAllByTestId('cut-line').map((l) => Number(l.getAttribute('y1')))).toEqual([
      expect.closeTo(239.7), expect.closeTo(168),
    ])
    // no single threshold line, and no "threshold" anywhere
    expect(container).not.toHaveTextContent(/threshold/i)
    expect(container.querySelectorAll('.timeline__region-label')).toHaveLength(3)
    expect(screen.getByTestId('rule-legend')).toHaveTextContent(
      "Regions of the ensemble's rule: Real below 20.1 %Uncertain from 20.1 % to 44.0 %Fake at or above 44.0 %",
    )
  })

  it('leaves a thin region unlabelled inside the plot (the legend names it)', () => {
    const { container } = render(
      <TimelineChart samples={[{ time_s: 0, p: 0.2 }]} duration_s={2} decision={{ threshold: 0.5, low: 0.476, high: 0.532 }} />,
    )
    expect(container.querySelectorAll('.timeline__region-label')).toHaveLength(2)
    expect(screen.getByTestId('rule-legend')).toHaveTextContent('Uncertain from 47.6 % to 53.2 %')
  })

  it('says the rule is unknown rather than drawing one it does not have', () => {
    render(<TimelineChart samples={[{ time_s: 0, p: 0.7 }]} duration_s={1} decision={null} />)
    expect(screen.queryAllByTestId('timeline-region')).toHaveLength(0)
    expect(screen.queryAllByTestId('cut-line')).toHaveLength(0)
    expect(screen.getByTestId('rule-legend')).toHaveTextContent('The decision rule was not recorded')
    expect(screen.getByRole('img')).toHaveAccessibleName(/the decision rule was not recorded\.$/)
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
      'Fake probability over 1:10: 2 of 2 frames with a face, highest 90 % likely fake at 1:05; REAL below 40.0 %, FAKE at or above 60.0 %.',
    )
  })

  it('says so when no frame had a face', () => {
    render(<TimelineChart samples={[{ time_s: 0, p: null }]} duration_s={1} decision={decision} />)
    expect(screen.getByRole('img')).toHaveAccessibleName('No frame showed a face.')
  })
})
