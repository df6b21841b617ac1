import { fireEvent, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { imageFile } from '@/test/render'
import { UploadArea } from './UploadArea'

function setup(props: Partial<Parameters<typeof UploadArea>[0]> = {}) {
  const onFiles = vi.fn()
  const view = render(
    <UploadArea accept="image/*" buttonLabel="Choose image" prompt="Drop a photo" onFiles={onFiles} {...props} />,
  )
  const input = view.container.querySelector('input[type=file]') as HTMLInputElement
  return { onFiles, input }
}

describe('UploadArea', () => {
  it('hands over a chosen file', async () => {
    const { onFiles, input } = setup()
    const file = imageFile()
    await userEvent.upload(input, file)
    expect(onFiles).toHaveBeenCalledWith([file])
  })

  it('opens the file picker from its button', async () => {
    const { input } = setup()
    const click = vi.spyOn(input, 'click')
    await userEvent.click(screen.getByRole('button', { name: 'Choose image' }))
    expect(click).toHaveBeenCalled()
  })

  it('takes dropped files, one unless multiple', () => {
    const { onFiles } = setup()
    const files = [imageFile('a.jpg'), imageFile('b.jpg')]
    fireEvent.drop(screen.getByTestId('upload-area'), { dataTransfer: { files } })
    expect(onFiles).toHaveBeenCalledWith([files[0]])
  })

  it('takes every dropped file when multiple', () => {
    const { onFiles } = setup({ multiple: true })
    const files = [imageFile('a.jpg'), imageFile('b.jpg')]
    fireEvent.drop(screen.getByTestId('upload-area'), { dataTransfer: { files } })
    expect(onFiles).toHaveBeenCalledWith(files)
  })

  it('takes a pasted image, and ignores pasted text', () => {
    const { onFiles } = setup({ acceptPaste: true })
    const file = imageFile('pasted.png', 10, 'image/png')
    const paste = (files: File[]) => {
      const event = new Event('paste', { bubbles: true, cancelable: true }) as Event & {
        clipboardData: { files: File[] }
      }
      event.clipboardData = { files }
      document.body.dispatchEvent(event)
    }
    paste([new File(['hello'], 'note.txt', { type: 'text/plain' })])
    expect(onFiles).not.toHaveBeenCalled()
    paste([file])
    expect(onFiles).toHaveBeenCalledWith([file])
  })

  it('keeps the button at a fixed width class', () => {
    setup()
    expect(screen.getByRole('button', { name: 'Choose image' })).toHaveClass('upload__button')
  })
})
