import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { model } from '@/test/fixtures'
import { mockApi } from '@/test/mock-api'
import { renderApp } from '@/test/render'
import { leadSentence, robustnessOf, robustnessSentence, shareInWords } from '../lib/plain-words'
import { ModelsPage } from './ModelsPage'

const change = (label: string, kind: string, roc_auc: number, flips: number, reversals = 0) => ({
  label, kind, images: kind === 'adversarial' ? 200 : 600, roc_auc, roc_auc_delta: roc_auc - 0.859, flips, reversals,
})

const measured = model({
  metrics: {
    roc_auc: 0.86, samples: 5033,
    abstain: { low: 0.18, high: 0.9, fraction: 0.2, decided_accuracy: 0.881 },
    robustness: {
      images: 600, adversarial_images: 200, split: 'validation split',
      changes: {
        clean: change('none (the clean crop)', 'clean', 0.859, 0),
        jpeg_50: change('JPEG quality 50', 'benign', 0.856, 0.158),
        noise_5: change('Gaussian noise, sigma 5/255', 'benign', 0.811, 0.232),
        pgd_4: change('PGD-10 (step eps/4), eps 4/255', 'adversarial', 0, 0.975, 0.405),
        bogus: { label: 'not a row', kind: 'other', flips: 'x' },
      },
    },
  },
})

describe('Models page in plain words (issue 14) with its robustness table (issue 17)', () => {
  it('says shares as a reader would', () => {
    expect(shareInWords(0.2)).toBe('1 in 5')
    expect(shareInWords(0.9466)).toBe('19 in 20')
    expect(shareInWords(0.232)).toBe('23 %')
    expect(leadSentence({ abstain: { fraction: 0, decided_accuracy: 0.7 } })).toBe(
      'Right 70 % of the time when it decides; it never abstains.',
    )
    expect(leadSentence({ abstain: { fraction: 0.57, decided_accuracy: 0.92 } })).toBe(
      'Right 92 % of the time when it decides; it abstains on 57 % of faces.',
    )
    expect(leadSentence({ roc_auc: 0.9 })).toBeNull()
  })

  it('says a share that rounds to 0 % as fewer than 1 in 100, never "up to 0 %"', () => {
    const few = robustnessOf({
      robustness: {
        changes: {
          clean: change('none (the clean crop)', 'clean', 0.56, 0),
          blur_1: change('Gaussian blur, sigma 1 px', 'benign', 0.557, 0.002),
          fgsm_1: change('FGSM, eps 1/255', 'adversarial', 0.35, 0.004),
        },
      },
    })
    expect(few && robustnessSentence(few)).toBe(
      'Everyday changes move fewer than 1 in 100 of its verdicts (Gaussian blur, sigma 1 px); a small deliberate attack moves fewer than 1 in 100 (FGSM, eps 1/255).',
    )
  })

  it('leads with one sentence; the figures are one click away', async () => {
    mockApi({ 'GET /api/models': { body: [measured] } })
    renderApp(<ModelsPage />, { path: '/models' })
    const card = await screen.findByTestId('model-card')
    expect(within(card).getByTestId('model-lead')).toHaveTextContent(
      'Right 88 % of the time when it decides; it abstains on 1 in 5 faces. Measured on 5,033 faces it did not train on.',
    )
    const more = within(card).getByText('Details: measured figures, decision rule, training data')
    const details = more.closest('details') as HTMLDetailsElement
    expect(details.open).toBe(false)
    expect(within(details).getByText('ROC-AUC', { selector: 'dt' })).toBeInTheDocument()
    await userEvent.click(more)
    expect(details.open).toBe(true)
  })

  it("shows the bundle's robustness: ROC-AUC and verdicts that move, per change", async () => {
    mockApi({ 'GET /api/models': { body: [measured] } })
    renderApp(<ModelsPage />, { path: '/models' })
    const section = await screen.findByTestId('robustness')
    expect(section).toHaveTextContent(
      'Everyday changes move up to 23 % of its verdicts (Gaussian noise, sigma 5/255); a small deliberate attack moves up to 98 % (PGD-10 (step eps/4), eps 4/255).',
    )
    const rows = within(section).getAllByTestId('robustness-row')
    expect(rows.map((r) => r.textContent)).toEqual([
      'JPEG quality 506000.856 (−0.3 pts)15.8 %0.0 %',
      'Gaussian noise, sigma 5/2556000.811 (−4.8 pts)23.2 %0.0 %',
      'PGD-10 (step eps/4), eps 4/2552000.000 (−85.9 pts)97.5 %40.5 %',
    ])
    expect(within(section).getByRole('table')).toHaveTextContent('clean: 0.859')
    expect(within(section).getByText('Deliberate attacks (on the face crop)')).toBeInTheDocument()
  })

  it('shows no robustness section for a bundle without the report', async () => {
    mockApi({ 'GET /api/models': { body: [model()] } })
    renderApp(<ModelsPage />, { path: '/models' })
    await screen.findByTestId('model-card')
    expect(screen.queryByTestId('robustness')).not.toBeInTheDocument()
    expect(screen.queryByTestId('model-lead')).not.toBeInTheDocument()
  })
})
