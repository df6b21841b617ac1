import { render, screen } from '@testing-library/react'
import { VerdictHeadline } from './VerdictHeadline'

describe('VerdictHeadline', () => {
  it('is a polite live region before and after the verdict', () => {
    const { rerender } = render(<VerdictHeadline pendingText="Analysing…" />)
    const region = screen.getByRole('status')
    expect(region).toHaveAttribute('aria-live', 'polite')
    expect(region).toHaveTextContent('Analysing…')
    rerender(<VerdictHeadline verdict="FAKE" fakeProbability={0.9734} />)
    // the same element: screen readers announce the change
    expect(screen.getByRole('status')).toBe(region)
    expect(region).toHaveTextContent('FAKE · 97 % likely fake')
    expect(region).toHaveClass('verdict--fake')
  })

  it.each([
    ['REAL', 0.04, 'REAL · 4 % likely fake', 'No sign of manipulation found'],
    ['UNCERTAIN', 0.38, 'UNCERTAIN · 38 % likely fake, leans real', 'a person should take a look'],
    ['UNCERTAIN', 0.55, 'UNCERTAIN · 55 % likely fake, leans fake', 'a person should take a look'],
  ] as const)('shows %s at %s as the probability of fake, with its caption', (verdict, p, headline, caption) => {
    render(<VerdictHeadline verdict={verdict} fakeProbability={p} />)
    expect(screen.getByRole('status')).toHaveTextContent(headline)
    expect(screen.getByRole('status')).toHaveTextContent(caption)
  })

  it('leans against the threshold it is given', () => {
    render(<VerdictHeadline verdict="UNCERTAIN" fakeProbability={0.55} threshold={0.6} />)
    expect(screen.getByRole('status')).toHaveTextContent('55 % likely fake, leans real')
  })

  it('says there is no verdict when no face was found, in grey, with no number', () => {
    render(<VerdictHeadline verdict="NO_FACE" fakeProbability={null} pendingText="Analysing…" />)
    const region = screen.getByRole('status')
    expect(region).toHaveTextContent('NO VERDICT · no face found')
    expect(region).toHaveTextContent('Try a photo in which a face is clearly visible')
    expect(region).not.toHaveTextContent('%')
    expect(region).not.toHaveTextContent('Analysing')
    expect(region).toHaveClass('verdict--no-face')
    expect(region).toHaveAttribute('data-verdict', 'NO_FACE')
  })

  it('waits while a verdict has no probability yet', () => {
    render(<VerdictHeadline verdict="FAKE" fakeProbability={null} pendingText="Analysing…" />)
    expect(screen.getByRole('status')).toHaveTextContent('Analysing…')
    expect(screen.getByRole('status')).toHaveClass('verdict--pending')
  })
})
