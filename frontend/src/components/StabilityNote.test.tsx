import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { Stability } from '@/lib/api-types'
import { StabilityNote } from './StabilityNote'

const base: Stability = {
  summary: 'Stable: re-compressed, resized or with noise added, this face still scores 70-74 % likely fake, with the same verdict.',
  low: 0.7,
  high: 0.74,
  changes: { jpeg_50: 0.71, 'downscale_0.5': 0.7, noise_5: 0.74 },
  verdicts: ['FAKE'],
  unstable: false,
}

describe('StabilityNote', () => {
  it('says a stable verdict holds, with the score under each change one click away', () => {
    render(<StabilityNote stability={base} />)
    expect(screen.getByRole('heading', { name: 'Stable verdict' })).toBeInTheDocument()
    expect(screen.getByTestId('stability')).toHaveAttribute('data-unstable', 'false')
    expect(screen.getByText(/Saved again as JPEG \(quality 50\)/)).toBeInTheDocument()
    expect(screen.getByText('74 % likely fake')).toBeInTheDocument()
  })

  it('flags an unstable verdict', () => {
    render(
      <StabilityNote
        stability={{ ...base, unstable: true, verdicts: ['UNCERTAIN', 'FAKE'], summary: 'Unstable: …' }}
      />,
    )
    expect(screen.getByRole('heading', { name: 'Unstable verdict' })).toBeInTheDocument()
    expect(screen.getByTestId('stability')).toHaveAttribute('data-unstable', 'true')
  })
})
