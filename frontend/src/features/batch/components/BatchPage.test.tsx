import { act, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { BatchResponse } from '@/lib/api-types'
import { batch, noFacePrediction } from '@/test/fixtures'
import { json, mockApi, type Call } from '@/test/mock-api'
import { imageFile, renderApp } from '@/test/render'
import { BatchPage } from './BatchPage'

/** The service's answer to one group of a batch: each sent file's result or error in
 * `full` (found by file name, else by position), indexed within the group. */
function groupAnswer(full: BatchResponse, call: Call): Response {
  const names = (call.body?.getAll('files') as File[]).map((f) => f.name)
  type Found = { name: string; result?: BatchResponse['results'][number]; error?: BatchResponse['errors'][number] }
  const byName: Found[] = [
    ...full.results.map((r) => ({ name: r.filename, result: r })),
    ...full.errors.map((e) => ({ name: e.filename, error: e })),
  ]
  const answer: BatchResponse = {
    summary: { total: 0, real: 0, fake: 0, uncertain: 0, no_face: 0, failed: 0, processing_time_ms: 100 },
    results: [],
    errors: [],
  }
  names.forEach((name, i) => {
    const found = byName.find((x) => x.name === name)
    answer.summary.total += 1
    if (found?.error) {
      answer.errors.push({ ...found.error, index: i })
      answer.summary.failed += 1
    } else if (found?.result) {
      answer.results.push(found.result)
      const key = ({ FAKE: 'fake', REAL: 'real', UNCERTAIN: 'uncertain', NO_FACE: 'no_face' } as const)[
        found.result.prediction
      ]
      answer.summary[key] += 1
    }
  })
  return json(200, answer)
}

/** A batch endpoint answering each group from `full`. */
const batchServer = (full: BatchResponse) => (call: Call) => groupAnswer(full, call)

async function upload(files: File[]) {
  await userEvent.upload(document.querySelector('input[type=file]') as HTMLInputElement, files)
}

describe('BatchPage', () => {
  it('shows the summary and a card per file, failures in plain words', async () => {
    const calls = mockApi({ 'POST /api/predict/batch': batchServer(batch()) })
    renderApp(<BatchPage />)
    await upload([imageFile('one.jpg'), imageFile('broken.jpg'), imageFile('three.jpg')])

    const summary = await screen.findByTestId('batch-summary')
    expect(within(summary).getByTestId('summary-total')).toHaveTextContent('3')
    expect(within(summary).getByTestId('summary-fake')).toHaveTextContent('1')
    expect(within(summary).getByTestId('summary-failed')).toHaveTextContent('1')
    expect(summary).toHaveTextContent('200 ms') // the service's time, group by group
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

    // two requests: a group of two files, then the last one
    const posts = calls.filter((c) => c.method === 'POST').map((c) => (c.body?.getAll('files') as File[]).map((f) => f.name))
    expect(posts).toEqual([['one.jpg', 'broken.jpg'], ['three.jpg']])
  })

  it('counts and shows a file with no face apart, without a number', async () => {
    const response = batch()
    response.results.push(noFacePrediction({ analysis_id: 'b4', filename: 'grey.png' }))
    mockApi({ 'POST /api/predict/batch': batchServer(response) })
    renderApp(<BatchPage />)
    await upload(['one.jpg', 'broken.jpg', 'three.jpg', 'grey.png'].map((n) => imageFile(n)))
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
    mockApi({ 'POST /api/predict/batch': batchServer(batch()) })
    renderApp(<BatchPage />)
    await upload(['one.jpg', 'broken.jpg', 'three.jpg'].map((n) => imageFile(n)))
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

  it('shows each file queued, analysing, then done or failed while the batch runs', async () => {
    const full = batch()
    const replies: ((r: Response) => void)[] = []
    const calls = mockApi({
      'POST /api/predict/batch': (call) =>
        new Promise<Response>((resolve) => replies.push(() => resolve(groupAnswer(full, call)))),
    })
    renderApp(<BatchPage />)
    await upload(['one.jpg', 'broken.jpg', 'three.jpg'].map((n) => imageFile(n)))
    const states = () => screen.getAllByTestId('batch-card').map((c) => c.dataset.state)
    const chips = () => screen.getAllByTestId('batch-status').map((c) => c.textContent)

    await screen.findByTestId('batch-progress')
    expect(states()).toEqual(['analysing', 'analysing', 'queued'])
    expect(chips()).toEqual(['Analysing…', 'Analysing…', 'Queued'])
    expect(screen.getByRole('progressbar', { name: '0 of 3 images done' })).toHaveAttribute('aria-valuenow', '0')
    expect(screen.getByText('one.jpg').closest('li')).toHaveAttribute('aria-busy', 'true')

    expect(screen.getByRole('status')).toHaveTextContent('0 of 3 images done.') // read out
    await act(async () => replies[0]?.(new Response()))
    await screen.findByRole('progressbar', { name: '2 of 3 images done' })
    expect(screen.getByRole('status')).toHaveTextContent('2 of 3 images done.')
    expect(states()).toEqual(['fake', 'failed', 'analysing'])
    expect(chips()).toEqual(['Done', 'Error', 'Analysing…'])
    expect(screen.getAllByTestId('batch-card')[1]).toHaveTextContent('This file is not an image we can read.')

    await act(async () => replies[1]?.(new Response()))
    await screen.findByTestId('batch-summary')
    expect(states()).toEqual(['fake', 'failed', 'real'])
    expect(screen.queryByTestId('batch-status')).not.toBeInTheDocument() // finished: the verdicts speak
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2)
  })

  it('fails the files of a group whose request failed, and goes on with the rest', async () => {
    let n = 0
    mockApi({
      'POST /api/predict/batch': (call) =>
        (n += 1) === 1
          ? json(503, { code: 'history_unavailable', detail: 'database down' })
          : groupAnswer(batch(), call),
    })
    renderApp(<BatchPage />)
    await upload(['one.jpg', 'broken.jpg', 'three.jpg'].map((n) => imageFile(n)))
    const summary = await screen.findByTestId('batch-summary')
    expect(within(summary).getByTestId('summary-failed')).toHaveTextContent('2')
    expect(within(summary).getByTestId('summary-real')).toHaveTextContent('1')
    const cards = screen.getAllByTestId('batch-card')
    expect(cards.map((c) => c.dataset.state)).toEqual(['failed', 'failed', 'real'])
    expect(cards[0]).toHaveTextContent('The service could not record this analysis.')
    expect(cards[0]).toHaveTextContent('one.jpg')
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
