import { prediction } from '@/test/fixtures'
import { imageFile } from '@/test/render'
import { analyzeReducer, initialAnalyzeState, type AnalyzeState } from './analyze-state'

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
})
