import { render, screen } from '@testing-library/react'
import { ScoreBar } from './ScoreBar'

const rule = { threshold: 0.308, low: 0.201, high: 0.44 }

describe('ScoreBar', () => {
  it("draws the rule's three regions where they lie on the bar", () => {
    render(<ScoreBar label="resnet50" value={0.35} band={rule} />)
    const regions = screen.getAllByTestId('score-region')
    expect(regions.map((r) => [r.className, r.style.left, r.style.width])).toEqual([
      ['score__region score__region--real', '0%', '20.1%'],
      ['score__region score__region--uncertain', '20.1%', expect.stringMatching(/^23\.9\d*%$/)],
      ['score__region score__region--fake', '44%', expect.stringMatching(/^56(\.0*\d*)?%$/)],
    ])
    expect(regions[1]).toHaveAttribute('title', 'Uncertain from 20.1 % to 44.0 %')
  })

  it('colours the bar by the region it ends in, never green in the uncertain region', () => {
    const { container } = render(<ScoreBar label="m" value={0.35} band={rule} />)
    expect(container.querySelector('.score__fill')).toHaveClass('score__fill--uncertain')
  })

  it('draws no regions and a neutral bar when the rule is unknown', () => {
    const { container } = render(<ScoreBar label="m" value={0.35} band={null} />)
    expect(screen.queryAllByTestId('score-region')).toHaveLength(0)
    expect(container.querySelector('.score__fill')).toHaveClass('score__fill--unknown')
    expect(screen.getByRole('meter')).toHaveAccessibleName('m: 35 % likely fake')
  })
})
