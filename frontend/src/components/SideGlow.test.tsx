import { render, screen } from '@testing-library/react'
import { SideGlow } from './SideGlow'

const sides = () => screen.queryAllByTestId('side-glow').map((e) => e.dataset.side)

describe('SideGlow', () => {
  it('is absent before a result', () => {
    render(<SideGlow verdict={null} />)
    expect(sides()).toEqual([])
  })

  it('flashes the left side for FAKE', () => {
    render(<SideGlow verdict="FAKE" />)
    expect(sides()).toEqual(['left'])
    expect(screen.getByTestId('side-glow')).toHaveClass('side-glow--fake')
  })

  it('glows the right side for REAL', () => {
    render(<SideGlow verdict="REAL" />)
    expect(sides()).toEqual(['right'])
    expect(screen.getByTestId('side-glow')).toHaveClass('side-glow--real')
  })

  it('tints both sides amber for UNCERTAIN', () => {
    render(<SideGlow verdict="UNCERTAIN" />)
    expect(sides()).toEqual(['left', 'right'])
  })

  it('does not fire when no face was found: no verdict, no signal', () => {
    const { container } = render(<SideGlow verdict="NO_FACE" />)
    expect(sides()).toEqual([])
    expect(container).toBeEmptyDOMElement()
  })

  it('is hidden from screen readers', () => {
    render(<SideGlow verdict="FAKE" />)
    expect(screen.getByTestId('side-glow')).toHaveAttribute('aria-hidden', 'true')
  })
})
