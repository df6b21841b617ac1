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
    expect(screen.getByText('97.3% fake')).toBeInTheDocument()
  })
})
