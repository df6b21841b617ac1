import { render, screen, within } from '@testing-library/react'
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

  it('explains a shown heatmap with a colour legend and one line on how to read it', async () => {
    render(<FaceCard face={face()} title="Face 1" />)
    expect(screen.queryByTestId('heatmap-legend')).not.toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'fake_a' }))
    const legend = screen.getByTestId('heatmap-legend')
    expect(legend).toHaveTextContent('Looked at little')
    expect(legend).toHaveTextContent('Looked at most')
    expect(screen.getByTestId('heatmap-how-to-read')).toHaveTextContent(
      'warm colours are where this model looked most for its score, compared with the rest of this face — not where a fake is',
    )
  })

  it('opens a heatmap large on a click, and closes it with Escape, the button or a click beside it', async () => {
    render(<FaceCard face={face()} title="Face 2" />)
    await userEvent.click(screen.getByRole('button', { name: 'fake_a' }))
    const enlarge = screen.getByRole('button', { name: 'Enlarge the heatmap of fake_a on Face 2' })
    await userEvent.click(enlarge)
    const dialog = screen.getByRole('dialog', { name: 'Face 2: where fake_a looked' })
    expect(dialog).toHaveAttribute('aria-modal', 'true')
    expect(within(dialog).getByRole('img', { name: 'Where fake_a looked, large' })).toBeInTheDocument()
    expect(within(dialog).getByTestId('heatmap-legend')).toBeInTheDocument()
    const close = within(dialog).getByRole('button', { name: 'Close' })
    expect(close).toHaveFocus()
    // the other model's map, in the same dialog
    await userEvent.click(within(dialog).getByRole('button', { name: 'real_c' }))
    expect(screen.getByRole('dialog')).toHaveAccessibleName('Face 2: where real_c looked')
    // Tab stays in the dialog
    await userEvent.tab()
    await userEvent.tab()
    await userEvent.tab()
    expect(dialog).toContainElement(document.activeElement as HTMLElement)

    await userEvent.keyboard('{Escape}')
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
    // focus goes back to what opened it
    expect(screen.getByRole('button', { name: 'Enlarge the heatmap of real_c on Face 2' })).toHaveFocus()

    await userEvent.click(screen.getByRole('button', { name: 'Enlarge' }))
    await userEvent.click(screen.getByRole('button', { name: 'Close' }))
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()

    await userEvent.click(screen.getByRole('button', { name: 'Enlarge' }))
    await userEvent.click(screen.getByTestId('heatmap-backdrop'))
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
  })

  it('says when it is the face that decides the verdict', () => {
    render(<FaceCard face={face()} title="Face 2" deciding />)
    expect(screen.getByTestId('deciding-tag')).toHaveTextContent('Decides the verdict')
    expect(screen.getByTestId('face-card')).toHaveAttribute('data-deciding', 'true')
  })
})
