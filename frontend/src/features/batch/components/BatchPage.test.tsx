import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { batch, noFacePrediction } from '@/test/fixtures'
import { mockApi } from '@/test/mock-api'
import { imageFile, renderApp } from '@/test/render'
import { BatchPage } from './BatchPage'

async function upload(files: File[]) {
  await userEvent.upload(document.querySelector('input[type=file]') as HTMLInputElement, files)
}

describe('BatchPage', () => {
  it('shows the summary and a card per file, failures in plain words', async () => {
    const calls = mockApi({ 'POST /api/predict/batch': { body: batch() } })
    renderApp(<BatchPage />)
    await upload([imageFile('one.jpg'), imageFile('broken.jpg'), imageFile('three.jpg')])

    const summary = await screen.findByTestId('batch-summary')
    expect(within(summary).getByTestId('summary-total')).toHaveTextContent('3')
    expect(within(summary).getByTestId('summary-fake')).toHaveTextContent('1')
    expect(within(summary).getByTestId('summary-failed')).toHaveTextContent('1')
    expect(summary).toHaveTextContent('812 ms')
    expect(screen.getByRole('status')).toHaveTextContent(
      '3 images analysed: 1 fake, 1 real, 0 uncertain, 0 with no face found, 1 failed.',
    )

    const cards = screen.getAllByTestId('batch-card')
    expect(cards.map((c) => c.dataset.state)).toEqual(['fake', 'failed', 'real'])
    expect(within(cards[1] as HTMLElement).getByTestId('batch-error')).toHaveTextContent(
      'This file is not an image we can read.',
    )
    expect(cards[0]).toHaveTextContent('97 % likely fake')
    expect(cards[2]).toHaveTextContent('10 % likely fake')
    expect(cards[2]).not.toHaveTextContent('90')

    const body = calls.find((c) => c.method === 'POST')?.body as FormData
    expect(body.getAll('files')).toHaveLength(3)
  })

  it('counts and shows a file with no face apart, without a number', async () => {
    const response = batch()
    response.results.push(noFacePrediction({ analysis_id: 'b4', filename: 'grey.png' }))
    response.summary = { ...response.summary, total: 4, no_face: 1 }
    mockApi({ 'POST /api/predict/batch': { body: response } })
    renderApp(<BatchPage />)
    await upload([imageFile('a.jpg')])
    const summary = await screen.findByTestId('batch-summary')
    expect(within(summary).getByTestId('summary-no-face')).toHaveTextContent('No face1')
    expect(screen.getByRole('status')).toHaveTextContent('1 with no face found')
    const card = screen.getAllByTestId('batch-card')[3] as HTMLElement
    expect(card.dataset.state).toBe('no-face')
    expect(card).toHaveTextContent('No face found')
    expect(card).toHaveTextContent('No verdict')
    expect(card).not.toHaveTextContent('%')
    // most likely real first: the files with a probability, then the one without, then failures
    await userEvent.selectOptions(screen.getByTestId('sort'), 'real-first')
    expect(screen.getAllByTestId('batch-card').map((c) => c.dataset.state)).toEqual(['real', 'fake', 'no-face', 'failed'])
  })

  it('sorts the cards', async () => {
    mockApi({ 'POST /api/predict/batch': { body: batch() } })
    renderApp(<BatchPage />)
    await upload([imageFile('a.jpg')])
    await screen.findByTestId('batch-summary')
    await userEvent.selectOptions(screen.getByTestId('sort'), 'real-first')
    expect(screen.getAllByTestId('batch-card').map((c) => c.dataset.state)).toEqual(['real', 'fake', 'failed'])
  })

  it('exports CSV and JSON', async () => {
    mockApi({ 'POST /api/predict/batch': { body: batch() } })
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    renderApp(<BatchPage />)
    await upload([imageFile('a.jpg')])
    await screen.findByTestId('batch-summary')
    await userEvent.click(screen.getByRole('button', { name: 'Download CSV' }))
    await userEvent.click(screen.getByRole('button', { name: 'Download JSON' }))
    expect(click).toHaveBeenCalledTimes(2)
    const blobs = vi.mocked(URL.createObjectURL).mock.calls.map(([b]) => (b as Blob).type)
    expect(blobs).toEqual(expect.arrayContaining(['text/csv', 'application/json']))
  })

  it('refuses more files than a batch allows before sending', async () => {
    const calls = mockApi({})
    renderApp(<BatchPage />)
    await screen.findByText(/up to 4 images/)
    await upload(Array.from({ length: 5 }, (_, i) => imageFile(`${i}.jpg`)))
    expect(screen.getByRole('alert')).toHaveTextContent('Too many files at once.')
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)
  })
})
