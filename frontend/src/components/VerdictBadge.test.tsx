import { render, screen } from '@testing-library/react'
import { VerdictBadge } from './VerdictBadge'

describe('VerdictBadge', () => {
  it.each([
    ['FAKE', 'Fake', 'badge--fake'],
    ['REAL', 'Real', 'badge--real'],
    ['UNCERTAIN', 'Uncertain', 'badge--uncertain'],
    ['NO_FACE', 'No face found', 'badge--no-face'],
  ] as const)('labels %s', (verdict, text, className) => {
    render(<VerdictBadge verdict={verdict} />)
    const badge = screen.getByText(text)
    expect(badge).toHaveClass('badge', className)
    expect(badge).toHaveAttribute('data-verdict', verdict)
  })

  it('carries no number: the badge is the verdict only', () => {
    render(<VerdictBadge verdict="NO_FACE" />)
    expect(screen.getByText('No face found').textContent).not.toMatch(/\d/)
  })
})
