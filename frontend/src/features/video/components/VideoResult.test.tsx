import { screen, waitFor } from '@testing-library/react'
import { video } from '@/test/fixtures'
import { mockApi } from '@/test/mock-api'
import { renderApp } from '@/test/render'
import { VideoResult } from './VideoResult'

describe('VideoResult', () => {
  it('links the analysis and its report', async () => {
    mockApi({})
    renderApp(<VideoResult result={video({ analysis_id: 'v-1' })} />, { path: '/video' })
    expect(await screen.findByTestId('permalink')).toHaveAttribute('href', '/history/v-1')
    await waitFor(() => expect(screen.getByTestId('download-report')).toBeEnabled())
  })
})
