import { screen } from '@testing-library/react'
import { mockApi } from '@/test/mock-api'
import { renderApp } from '@/test/render'
import { AnalyzePage } from './AnalyzePage'

// issue 14: the format hint named three image formats of the ten the API reads
describe('the photo upload hint', () => {
  it('names every format the API accepts', async () => {
    mockApi({})
    renderApp(<AnalyzePage />)
    expect(await screen.findByText(/up to 2 MB/)).toHaveTextContent(
      'JPEG, PNG, WebP, AVIF, GIF, BMP, TIFF, PPM, TGA or ICO, up to 2 MB',
    )
  })
})
