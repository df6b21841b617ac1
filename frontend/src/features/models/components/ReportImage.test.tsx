import { render, screen, waitFor } from '@testing-library/react'
import { setApiKey } from '@/lib/api-client'
import { mockApi } from '@/test/mock-api'
import { ReportImage } from './ReportImage'

const PATH = '/api/models/lite/reports/roc.png'

describe('ReportImage', () => {
  afterEach(() => setApiKey(null))

  it('points an <img> at the API when no key is saved', () => {
    const calls = mockApi({})
    render(<ReportImage path={PATH} alt="ROC curve of lite" />)
    expect(screen.getByRole('img', { name: 'ROC curve of lite' })).toHaveAttribute(
      'src',
      expect.stringContaining(PATH),
    )
    expect(calls).toHaveLength(0)
  })

  it('fetches the figure with the saved key and shows it from a blob URL', async () => {
    const createObjectURL = vi.fn(() => 'blob:figure')
    const revokeObjectURL = vi.fn()
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL }))
    const calls = mockApi({
      [`GET ${PATH}`]: () => new Response('png', { headers: { 'Content-Type': 'image/png' } }),
    })
    setApiKey('secret')
    const { unmount } = render(<ReportImage path={PATH} alt="ROC curve of lite" />)
    await waitFor(() =>
      expect(screen.getByRole('img', { name: 'ROC curve of lite' })).toHaveAttribute('src', 'blob:figure'),
    )
    expect(calls[0]?.headers['X-API-Key']).toBe('secret')
    unmount()
    expect(revokeObjectURL).toHaveBeenCalledWith('blob:figure')
  })

  it('says so in words when the figure cannot be fetched', async () => {
    mockApi({ [`GET ${PATH}`]: { status: 401, body: { code: 'invalid_api_key', detail: 'wrong key' } } })
    setApiKey('wrong')
    render(<ReportImage path={PATH} alt="ROC curve of lite" />)
    expect(await screen.findByText(/ROC curve of lite: the figure could not be loaded/)).toBeInTheDocument()
  })
})
