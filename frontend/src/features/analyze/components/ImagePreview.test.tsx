import { render, screen } from '@testing-library/react'
import { face, prediction } from '@/test/fixtures'
import { ImagePreview } from './ImagePreview'

// issue 14: on a photo of six faces side by side the long labels ran into each other
describe('ImagePreview face labels', () => {
  it('numbers the boxes when there are several faces, the verdict one hover away', () => {
    const faces = Array.from({ length: 6 }, (_, i) =>
      face({ box: { x: i * 40, y: 10, width: 30, height: 30 }, prediction: 'UNCERTAIN', fake_probability: 0.3 + i / 100 }),
    )
    render(<ImagePreview url="blob:x" filename="six.jpg" result={prediction({ faces, image: { width: 240, height: 60 } })} />)
    const boxes = screen.getAllByTestId('face-box')
    expect(boxes.map((b) => b.textContent)).toEqual(['1', '2', '3', '4', '5', '6'])
    expect(boxes[2]).toHaveAttribute('title', 'Face 3: Uncertain · 32 % likely fake')
  })

  it('labels a single face in full', () => {
    render(<ImagePreview url="blob:x" filename="one.jpg" result={prediction()} />)
    expect(screen.getByTestId('face-box')).toHaveTextContent('Fake · 97 % likely fake')
  })
})
