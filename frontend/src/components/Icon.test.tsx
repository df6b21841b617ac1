import { render, screen } from '@testing-library/react'
import { PageIntro } from './PageIntro'

// issue 14: emoji rendered as empty boxes where no emoji font is installed
describe('icons instead of emoji', () => {
  it('greets with an inline SVG icon, hidden from screen readers', () => {
    const { container } = render(<PageIntro icon="film" title="Check a video" />)
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(/^ ?Check a video$/)
    const svg = container.querySelector('svg[data-icon="film"]')
    expect(svg).toHaveAttribute('aria-hidden', 'true')
  })

  it('leaves no emoji in the app source', () => {
    const sources = import.meta.glob(['/src/**/*.tsx', '!/src/**/*.test.tsx'], {
      query: '?raw',
      import: 'default',
      eager: true,
    }) as Record<string, string>
    expect(Object.keys(sources).length).toBeGreaterThan(20)
    const emoji = /\p{Extended_Pictographic}/u
    const offenders = Object.entries(sources)
      .filter(([, text]) => emoji.test(text))
      .map(([path]) => path)
    expect(offenders).toEqual([])
  })
})
