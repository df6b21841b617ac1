import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { face, info, noFacePrediction, prediction } from '@/test/fixtures'
import { mockApi, jsonLines } from '@/test/mock-api'
import { imageFile, renderApp } from '@/test/render'
import { AnalyzePage } from './AnalyzePage'

async function upload(file = imageFile()) {
  const input = document.querySelector('input[type=file]') as HTMLInputElement
  await userEvent.upload(input, file)
  return file
}

function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

describe('AnalyzePage', () => {
  it('greets and stays neutral before a result', async () => {
    mockApi({})
    renderApp(<AnalyzePage />)
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Is this face real?')
    expect(screen.getByRole('button', { name: 'Choose image' })).toBeInTheDocument()
    expect(screen.queryByTestId('side-glow')).not.toBeInTheDocument()
    expect(screen.queryByRole('status')).not.toBeInTheDocument()
    await screen.findByText(/up to 2 MB/)
  })

  it('shows Analysing, then the verdict, bars, boxes, faces and the side glow', async () => {
    const answer = deferred<Response>()
    const calls = mockApi({ 'POST /api/predict': () => answer.promise })
    renderApp(<AnalyzePage />)
    await screen.findByText(/up to 2 MB/)
    await upload()

    const status = screen.getByRole('status')
    expect(status).toHaveTextContent('Analysing…')
    expect(screen.queryByTestId('side-glow')).not.toBeInTheDocument()

    answer.resolve(jsonLines([{ event: 'done', result: prediction() }]))
    await waitFor(() => expect(status).toHaveTextContent('FAKE · 97 % likely fake'))
    expect(screen.getByTestId('reason')).toHaveTextContent('1 face found')
    // two models and their mean
    expect(screen.getAllByTestId('score-bar')).toHaveLength(3)
    expect(screen.getAllByTestId('face-box')).toHaveLength(1)
    expect(screen.getByTestId('face-box')).toHaveTextContent('Fake · 97 % likely fake')
    expect(screen.getAllByTestId('face-card')).toHaveLength(1)
    expect(screen.getByTestId('face-card')).toHaveTextContent('97 % likely fake')
    // the file's provenance beside the verdict, saying it does not change it
    const provenance = screen.getByRole('region', { name: 'Provenance' })
    expect(provenance).toHaveTextContent('No Content Credentials (C2PA) in this file')
    expect(provenance).toHaveTextContent('does not change the model’s verdict')
    const glow = screen.getByTestId('side-glow')
    expect(glow).toHaveAttribute('data-side', 'left')
    expect(glow).toHaveAttribute('data-verdict', 'FAKE')

    // the request asked for heatmaps with every model
    const body = calls.find((c) => c.method === 'POST')?.body as FormData
    expect(body.get('explain')).toBe('true')
    expect(body.get('models')).toBeNull()
  })

  it('gives no verdict when no face was found: grey, no number, no glow, the reason in words', async () => {
    const calls = mockApi({ 'POST /api/predict': { body: noFacePrediction() } })
    renderApp(<AnalyzePage />)
    await upload()
    const status = screen.getByRole('status')
    await waitFor(() => expect(status).toHaveTextContent('NO VERDICT · no face found'))
    expect(status).toHaveAttribute('data-verdict', 'NO_FACE')
    expect(status).not.toHaveTextContent('%')
    expect(screen.getByTestId('reason')).toHaveTextContent(
      'No face was found (faces smaller than 40 pixels are not looked for). The models judge faces only',
    )
    expect(screen.queryByTestId('side-glow')).not.toBeInTheDocument()
    expect(screen.queryByTestId('face-box')).not.toBeInTheDocument()
    expect(screen.queryByTestId('face-card')).not.toBeInTheDocument()
    expect(screen.queryByTestId('score-bar')).not.toBeInTheDocument()

    // the hint: a tight face crop can be scored as a whole image, this file only
    const hint = screen.getByTestId('no-face-hint')
    expect(hint).toHaveTextContent('tight crop of a face')
    await userEvent.click(within(hint).getByRole('button', { name: 'Score the whole image' }))
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2))
    const [first, second] = calls.filter((c) => c.method === 'POST').map((c) => c.body as FormData)
    expect(first?.get('whole_image')).toBe('false')
    expect(second?.get('whole_image')).toBe('true')
  })

  it('says so when the whole image was scored as asked', async () => {
    mockApi({
      'POST /api/predict': {
        body: prediction({
          face_detected: false,
          reason: 'no face found: the whole image was classified as asked; fake probability 20.0% is below 40.0%',
          prediction: 'REAL',
          confidence: 0.8,
          fake_probability: 0.2,
          faces: [face({ prediction: 'REAL', fake_probability: 0.2, heatmaps: null })],
        }),
      },
    })
    renderApp(<AnalyzePage />)
    await upload()
    expect(await screen.findByTestId('no-face')).toHaveTextContent(
      'No face found — the whole image was scored as a face, as asked.',
    )
    expect(screen.getByRole('status')).toHaveTextContent('REAL · 20 % likely fake')
    expect(screen.getByTestId('reason')).toHaveTextContent('Fake probability 20.0% is below 40.0%.')
    expect(screen.queryByTestId('face-box')).not.toBeInTheDocument()
    expect(screen.getByTestId('side-glow')).toHaveAttribute('data-side', 'right')
    expect(screen.getByText('Whole image')).toBeInTheDocument()
  })

  it('shows an uncertain verdict with its reason', async () => {
    mockApi({
      'POST /api/predict': {
        body: prediction({
          prediction: 'UNCERTAIN',
          confidence: 0.55,
          fake_probability: 0.55,
          reason: 'fake probability 55.0% is between 40.0% and 60.0%: too close to call, since faces scored there are too often judged wrong',
          faces: [face({ prediction: 'UNCERTAIN', fake_probability: 0.55 })],
        }),
      },
    })
    renderApp(<AnalyzePage />)
    await upload()
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('UNCERTAIN · 55 % likely fake, leans fake'))
    expect(screen.getByTestId('reason')).toHaveTextContent('too close to call')
    expect(screen.getAllByTestId('side-glow').map((g) => g.dataset.verdict)).toEqual(['UNCERTAIN', 'UNCERTAIN'])
  })

  it('asks for the stability check when chosen, and flags an unstable verdict', async () => {
    const calls = mockApi({
      'POST /api/predict': {
        body: prediction({
          stability: {
            summary: 'Unstable: re-compressed, resized or with noise added, the most suspicious face scores 52-91 % likely fake, which spans UNCERTAIN to FAKE: small changes to the file change the verdict.',
            low: 0.52,
            high: 0.91,
            changes: { jpeg_50: 0.52, 'downscale_0.5': 0.6, noise_5: 0.91 },
            verdicts: ['UNCERTAIN', 'FAKE'],
            unstable: true,
          },
        }),
      },
    })
    renderApp(<AnalyzePage />)
    await screen.findByText(/up to 2 MB/)
    await userEvent.click(screen.getByText('Options'))
    await userEvent.click(screen.getByLabelText(/Check the verdict holds/))
    await upload()
    const panel = await screen.findByRole('region', { name: 'Unstable verdict' })
    expect(panel).toHaveTextContent('spans UNCERTAIN to FAKE')
    expect(panel).toHaveTextContent('Mild noise added: 91 % likely fake')
    const body = calls.find((c) => c.method === 'POST')?.body as FormData
    expect(body.get('stability')).toBe('true')
  })

  it('refuses a file over the limit without uploading it', async () => {
    const calls = mockApi({})
    renderApp(<AnalyzePage />)
    await screen.findByText(/up to 2 MB/)
    await upload(imageFile('huge.jpg', 3 * 1024 * 1024))
    const alert = screen.getByRole('alert')
    expect(alert).toHaveTextContent('“huge.jpg” is too large.')
    expect(alert).toHaveTextContent('The limit is 2 MB per image.')
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)
  })

  it('puts a service error in plain words where the file was dropped', async () => {
    mockApi({
      'POST /api/predict': { status: 422, body: { code: 'undecodable_image', detail: 'Not an image' } },
    })
    renderApp(<AnalyzePage />)
    await upload(imageFile('broken.jpg', 10))
    expect(await screen.findByRole('alert')).toHaveTextContent('“broken.jpg” is not an image we can read.')
    expect(screen.queryByRole('status')).not.toBeInTheDocument()
  })

  it('offers a retry after a network failure', async () => {
    let fail = true
    mockApi({
      'POST /api/predict': () =>
        fail ? Promise.reject(new TypeError('Failed to fetch')) : Promise.resolve(jsonLines([{ event: 'done', result: prediction() }])),
    })
    renderApp(<AnalyzePage />)
    await upload()
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('Cannot reach the FaceProof service.')
    fail = false
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }))
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('FAKE · 97 % likely fake'))
  })

  it('sends the chosen models and options', async () => {
    const calls = mockApi({ 'POST /api/predict': { body: prediction() } })
    renderApp(<AnalyzePage />)
    await userEvent.click(await screen.findByText('Options'))
    await userEvent.click(screen.getByRole('checkbox', { name: 'fake_a' }))
    await userEvent.click(screen.getByRole('checkbox', { name: /Test-time augmentation/ }))
    await upload()
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true))
    const body = calls.find((c) => c.method === 'POST')?.body as FormData
    expect(body.get('models')).toBe('real_c')
    expect(body.get('tta')).toBe('true')
    expect(body.get('whole_image')).toBe('false')
  })

  it('starts from the default models: one at ensemble weight 0 is off and says why', async () => {
    const calls = mockApi({
      'GET /api/info': { body: { ...info, default_models: ['fake_a'] } },
      'POST /api/predict': { body: prediction() },
    })
    renderApp(<AnalyzePage />)
    await userEvent.click(await screen.findByText('Options'))
    expect(screen.getByRole('checkbox', { name: /^fake_a/ })).toBeChecked()
    const unweighted = screen.getByRole('checkbox', { name: /^real_c/ })
    expect(unweighted).not.toBeChecked()
    expect(unweighted.closest('label')).toHaveTextContent('the ensemble gives it weight 0')
    await userEvent.click(unweighted)
    await upload()
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true))
    const body = calls.find((c) => c.method === 'POST')?.body as FormData
    expect(body.get('models')).toBe('fake_a,real_c')
  })

  it('sends whole_image when asked to score the whole image without a face', async () => {
    const calls = mockApi({ 'POST /api/predict': { body: prediction() } })
    renderApp(<AnalyzePage />)
    await userEvent.click(await screen.findByText('Options'))
    await userEvent.click(screen.getByRole('checkbox', { name: /If no face is found, score the whole image/ }))
    await upload()
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true))
    const body = calls.find((c) => c.method === 'POST')?.body as FormData
    expect(body.get('whole_image')).toBe('true')
  })

  it('offers to re-run the same file after an option changes, without a new upload', async () => {
    const calls = mockApi({ 'POST /api/predict': { body: prediction() } })
    renderApp(<AnalyzePage />)
    await userEvent.click(await screen.findByText('Options'))
    const file = await upload(imageFile('portrait.jpg'))
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('FAKE · 97 % likely fake'))
    expect(screen.queryByTestId('rerun')).not.toBeInTheDocument()

    await userEvent.click(screen.getByRole('checkbox', { name: /Test-time augmentation/ }))
    await userEvent.click(screen.getByRole('checkbox', { name: 'fake_a' }))
    const offer = screen.getByTestId('rerun')
    expect(offer).toHaveTextContent('You changed the models and test-time augmentation since this result.')
    expect(offer).toHaveTextContent('Analyse “portrait.jpg” again with the new options?')
    // set back as it was: nothing to re-run
    await userEvent.click(screen.getByRole('checkbox', { name: 'fake_a' }))
    await userEvent.click(screen.getByRole('checkbox', { name: /Test-time augmentation/ }))
    expect(screen.queryByTestId('rerun')).not.toBeInTheDocument()

    await userEvent.click(screen.getByRole('checkbox', { name: /Check the verdict holds/ }))
    await userEvent.click(within(screen.getByTestId('rerun')).getByRole('button', { name: 'Re-run with the new options' }))
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2))
    const second = calls.filter((c) => c.method === 'POST')[1]?.body as FormData
    expect((second.get('file') as File).name).toBe(file.name) // the same file, not a new upload
    expect(second.get('stability')).toBe('true')
    await waitFor(() => expect(screen.queryByTestId('rerun')).not.toBeInTheDocument())
  })

  it('does not offer a re-run for the one-off "Score the whole image"', async () => {
    mockApi({ 'POST /api/predict': { body: noFacePrediction() } })
    renderApp(<AnalyzePage />)
    await upload()
    await userEvent.click(await screen.findByRole('button', { name: 'Score the whole image' }))
    await waitFor(() => expect(screen.getByTestId('no-face-hint')).toBeInTheDocument())
    expect(screen.queryByTestId('rerun')).not.toBeInTheDocument()
  })

  it('says which face decides the verdict of a photo with several faces', async () => {
    const faces = [
      face({ prediction: 'REAL', fake_probability: 0.12, confidence: 0.88, box: { x: 0, y: 0, width: 40, height: 40 } }),
      face({ fake_probability: 0.86, confidence: 0.86, box: { x: 50, y: 0, width: 40, height: 40 } }),
      face({ prediction: 'REAL', fake_probability: 0.3, confidence: 0.7, box: { x: 0, y: 50, width: 40, height: 40 } }),
    ]
    mockApi({ 'POST /api/predict': { body: prediction({ faces, deciding_face: 1, fake_probability: 0.86, confidence: 0.86 }) } })
    renderApp(<AnalyzePage />)
    await upload()
    const line = await screen.findByTestId('deciding-face')
    expect(line).toHaveTextContent(
      'The verdict follows face 2, the one most likely fake (86 %): with several faces, the most suspicious decides',
    )
    const cards = screen.getAllByTestId('face-card')
    expect(cards.map((c) => c.dataset.deciding ?? '')).toEqual(['', 'true', ''])
    expect(within(cards[1] as HTMLElement).getByTestId('deciding-tag')).toBeInTheDocument()
    const boxes = screen.getAllByTestId('face-box')
    expect(boxes[1]).toHaveClass('face-box--deciding')
    expect(boxes[1]).toHaveAttribute('title', expect.stringContaining('decides the verdict'))
    expect(screen.getByRole('region', { name: 'How sure each model is' })).toHaveTextContent(
      'Probability that face 2, the face that decides, is fake',
    )
  })

  it('says when several faces tie for the most likely fake: the first found decides', async () => {
    const faces = [face({ fake_probability: 0.64 }), face({ fake_probability: 0.64 }), face({ fake_probability: 0.64 })]
    mockApi({ 'POST /api/predict': { body: prediction({ faces, fake_probability: 0.64 }) } })
    renderApp(<AnalyzePage />)
    await upload()
    expect(await screen.findByTestId('deciding-face')).toHaveTextContent(
      'The verdict follows face 1, the one most likely fake (64 %; face 2 and face 3 score the same, and the first found decides)',
    )
  })

  it('says nothing about a deciding face with one face', async () => {
    mockApi({ 'POST /api/predict': { body: prediction() } })
    renderApp(<AnalyzePage />)
    await upload()
    await screen.findByTestId('reason')
    expect(screen.queryByTestId('deciding-face')).not.toBeInTheDocument()
    expect(screen.queryByTestId('deciding-tag')).not.toBeInTheDocument()
  })
  it('shows the service’s step, in plain words and politely, once it takes over a second', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    try {
      const rest = deferred<void>()
      const encoder = new TextEncoder()
      const line = (e: unknown) => encoder.encode(`${JSON.stringify(e)}\n`)
      mockApi({
        'POST /api/predict/stream': () =>
          new Response(
            new ReadableStream({
              async start(controller) {
                controller.enqueue(line({ event: 'progress', stage: 'faces_found', faces: 6, face_detected: true, face: null }))
                controller.enqueue(line({ event: 'progress', stage: 'heatmap', faces: 6, face_detected: true, face: 2 }))
                await rest.promise
                controller.enqueue(line({ event: 'done', result: prediction() }))
                controller.close()
              },
            }),
            { status: 200, headers: { 'Content-Type': 'application/jsonl' } },
          ),
      })
      renderApp(<AnalyzePage />)
      await upload()
      const step = screen.getByTestId('analysis-step')
      expect(step).toHaveAttribute('aria-live', 'polite')
      expect(step).toHaveTextContent('') // under a second: no step, it would only flicker
      await act(() => vi.advanceTimersByTimeAsync(1100))
      await waitFor(() => expect(step).toHaveTextContent('Found 6 faces · making heatmaps 2 of 6'))
      rest.resolve()
      await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('FAKE · 97 % likely fake'))
      expect(screen.getByTestId('analysis-step')).toHaveTextContent('')
    } finally {
      vi.useRealTimers()
    }
  })

  it('ends with the error a failed event carries', async () => {
    mockApi({
      'POST /api/predict/stream': {
        events: [
          { event: 'progress', stage: 'detecting', faces: 0, face_detected: false, face: null },
          { event: 'failed', status: 503, error: { code: 'history_unavailable', detail: 'locked' } },
        ],
      },
    })
    renderApp(<AnalyzePage />)
    await upload()
    // the failed event's error, shown as the plain endpoint's 503 would be
    const alert = await screen.findByRole('alert')
    expect(within(alert).queryByRole('button', { name: 'Try again' })).toBeNull()
    expect(screen.queryByText(/likely fake/)).not.toBeInTheDocument()
  })
})
