import { prediction } from '@/test/fixtures'
import { imageFile } from '@/test/render'
import { analyzeReducer, changedOptions, initialAnalyzeState, type AnalyzeState } from './analyze-state'

const error = { title: 'Nope.' }

describe('analyzeReducer', () => {
  it('goes idle -> loading -> success for the same file', () => {
    const file = imageFile()
    const loading = analyzeReducer(initialAnalyzeState, { type: 'start', file })
    expect(loading).toEqual({ status: 'loading', file })
    const result = prediction()
    expect(analyzeReducer(loading, { type: 'success', file, result })).toEqual({
      status: 'success',
      file,
      result,
    })
  })

  it('ignores a late answer for a file that was replaced', () => {
    const first = imageFile('first.jpg')
    const second = imageFile('second.jpg')
    const state: AnalyzeState = { status: 'loading', file: second }
    expect(analyzeReducer(state, { type: 'success', file: first, result: prediction() })).toBe(state)
    expect(analyzeReducer(state, { type: 'failure', file: first, error })).toBe(state)
  })

  it('keeps the file to retry only when asked', () => {
    const file = imageFile()
    const loading: AnalyzeState = { status: 'loading', file }
    expect(analyzeReducer(loading, { type: 'failure', file, error })).toEqual({
      status: 'error',
      file: null,
      error,
      retryable: false,
    })
    expect(analyzeReducer(loading, { type: 'failure', file, error, keepPreview: true })).toMatchObject({
      file,
      retryable: true,
    })
  })

  it('applies a refusal made before any call, whatever the state', () => {
    const state: AnalyzeState = { status: 'loading', file: imageFile() }
    expect(analyzeReducer(state, { type: 'reject', error })).toMatchObject({ status: 'error', file: null })
  })

  it('names the options changed since a result, and only those a re-run would change', () => {
    const used = { models: [], tta: false, explain: true, wholeImage: false, stability: false }
    expect(changedOptions(used, used, { noFace: false })).toEqual([])
    expect(changedOptions(used, { ...used, models: ['a'], explain: false }, { noFace: false })).toEqual(['the models', 'the heatmaps'])
    expect(changedOptions({ ...used, models: ['a', 'b'] }, { ...used, models: ['b', 'a'] }, { noFace: false })).toEqual([])
    // the whole image: only when turned on after no face was found
    expect(changedOptions(used, { ...used, wholeImage: true }, { noFace: false })).toEqual([])
    expect(changedOptions(used, { ...used, wholeImage: true }, { noFace: true })).toEqual(['scoring the whole image when no face is found'])
    expect(changedOptions({ ...used, wholeImage: true }, used, { noFace: false })).toEqual([])
  })

  it('keeps the options a result was analysed with', () => {
    const file = imageFile()
    const options = { models: ['a'], tta: true, explain: false, wholeImage: false, stability: false }
    const loading = analyzeReducer(initialAnalyzeState, { type: 'start', file, options })
    expect(analyzeReducer(loading, { type: 'success', file, result: prediction() })).toMatchObject({ options })
  })
})
