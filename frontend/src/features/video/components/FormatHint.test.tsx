import { screen } from '@testing-library/react'
import { mockApi } from '@/test/mock-api'
import { renderApp } from '@/test/render'
import { VideoPage } from './VideoPage'

// issue 14: the format hint left out formats the API accepts
describe('the video upload hint', () => {
  it('names every format the API accepts, and the picker offers them', async () => {
    mockApi({})
    const { container } = renderApp(<VideoPage />, { path: '/video' })
    expect(await screen.findByText(/up to 10 MB/)).toHaveTextContent('MP4, MOV, AVI, MKV, WebM, M4V, MPEG or 3GP, up to 10 MB')
    expect(container.querySelector('input[type=file]')?.getAttribute('accept')).toContain('.3gp')
  })
})
