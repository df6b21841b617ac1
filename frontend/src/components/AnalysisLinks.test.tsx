import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { vi } from 'vitest'
import { info } from '@/test/fixtures'
import { mockApi } from '@/test/mock-api'
import { renderApp } from '@/test/render'
import { AnalysisLinks } from './AnalysisLinks'

describe('AnalysisLinks', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('links the analysis and downloads its report with the API key', async () => {
    window.localStorage.setItem('faceproof.apiKey', 'k1')
    const calls = mockApi({
      'GET /api/history/abcdef12-3456/report': () =>
        new Response('<!doctype html><title>r</title>', { headers: { 'content-type': 'text/html' } }),
    })
    const created = vi.fn(() => 'blob:report')
    const { createObjectURL, revokeObjectURL } = URL
    URL.createObjectURL = created
    URL.revokeObjectURL = vi.fn()
    const clicked: string[] = []
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download)
    })
    renderApp(<AnalysisLinks id="abcdef12-3456" filename="clip.final.avi" />, { path: '/video' })

    expect(screen.getByTestId('permalink')).toHaveAttribute('href', '/history/abcdef12-3456')
    expect(screen.getByTestId('permalink')).toHaveTextContent('Permalink: /history/abcdef12…')
    await userEvent.click(screen.getByRole('button', { name: 'Download report' }))

    await waitFor(() => expect(clicked).toEqual(['faceproof-report-clip.final-abcdef12.html']))
    const report = calls.find((c) => c.url.includes('/report'))
    expect(report?.url).toBe('/api/history/abcdef12-3456/report?download=true')
    expect(report?.headers['X-API-Key']).toBe('k1')
    expect(created).toHaveBeenCalledOnce()
    click.mockRestore()
    URL.createObjectURL = createObjectURL
    URL.revokeObjectURL = revokeObjectURL
    window.localStorage.removeItem('faceproof.apiKey')
  })

  it('says when the report cannot be downloaded', async () => {
    mockApi({ 'GET /api/history/gone/report': { status: 404, body: { code: 'analysis_not_found', detail: 'no analysis gone' } } })
    renderApp(<AnalysisLinks id="gone" filename="a.jpg" permalink={false} />)
    expect(screen.queryByTestId('permalink')).not.toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Download report' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('The report could not be downloaded')
  })

  it('shows nothing when the service keeps no history', async () => {
    mockApi({ 'GET /api/info': { body: { ...info, history_enabled: false } } })
    renderApp(<AnalysisLinks id="x1" filename="a.jpg" />)
    // once /api/info has answered
    await waitFor(() => expect(screen.queryByTestId('analysis-links')).not.toBeInTheDocument())
  })

})
