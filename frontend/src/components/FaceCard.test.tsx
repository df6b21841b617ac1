import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { face } from '@/test/fixtures'
import { FaceCard } from './FaceCard'

describe('FaceCard', () => {
  it('lays one model heatmap at a time over the face', async () => {
    render(<FaceCard face={face()} title="Face 1" />)
    expect(screen.queryByTestId('heatmap')).not.toBeInTheDocument()
    const faceButton = screen.getByRole('button', { name: 'Face' })
    expect(faceButton).toHaveAttribute('aria-pressed', 'true')

    await userEvent.click(screen.getByRole('button', { name: 'fake_a' }))
    expect(screen.getByTestId('heatmap')).toHaveAccessibleName('Where fake_a looked')
    expect(screen.getByRole('button', { name: 'fake_a' })).toHaveAttribute('aria-pressed', 'true')

    await userEvent.click(faceButton)
    expect(screen.queryByTestId('heatmap')).not.toBeInTheDocument()
  })

  it('has no toggle without heatmaps', () => {
    render(<FaceCard face={face({ heatmaps: null })} title="Face 1" />)
    expect(screen.queryByRole('group')).not.toBeInTheDocument()
    expect(screen.getByText('97 % likely fake')).toBeInTheDocument()
  })

  it('shows the probability that the face is fake, leaning for an uncertain face', () => {
    render(
      <FaceCard face={face({ prediction: 'UNCERTAIN', fake_probability: 0.45, confidence: 0.55 })} title="Face 1" threshold={0.5} />,
    )
    expect(screen.getByText('45 % likely fake, leans real')).toBeInTheDocument()
    expect(screen.queryByText(/55/)).not.toBeInTheDocument()
  })
})
