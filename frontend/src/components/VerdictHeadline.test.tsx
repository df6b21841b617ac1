import { render, screen } from '@testing-library/react'
import { VerdictHeadline } from './VerdictHeadline'

describe('VerdictHeadline', () => {
  it('is a polite live region before and after the verdict', () => {
    const { rerender } = render(<VerdictHeadline pendingText="Analysing…" />)
    const region = screen.getByRole('status')
    expect(region).toHaveAttribute('aria-live', 'polite')
    expect(region).toHaveTextContent('Analysing…')
    rerender(<VerdictHeadline verdict="FAKE" confidence={0.9734} />)
    // the same element: screen readers announce the change
    expect(screen.getByRole('status')).toBe(region)
    expect(region).toHaveTextContent('Fake – 97.3%')
    expect(region).toHaveClass('verdict--fake')
  })

  it.each([
    ['REAL', 'Real – 88.0%', 'No sign of manipulation found'],
    ['UNCERTAIN', 'Uncertain – 55.0%', 'a person should take a look'],
  ] as const)('shows %s with its caption', (verdict, headline, caption) => {
    const confidence = verdict === 'REAL' ? 0.88 : 0.55
    render(<VerdictHeadline verdict={verdict} confidence={confidence} />)
    expect(screen.getByRole('status')).toHaveTextContent(headline)
    expect(screen.getByRole('status')).toHaveTextContent(caption)
  })
})
