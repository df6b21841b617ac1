import { render, screen } from '@testing-library/react'
import { Markdown } from './Markdown'

describe('Markdown', () => {
  it('renders headings, lists, tables, code and emphasis', () => {
    const { container } = render(
      <Markdown
        source={'# Title\n\nSome **bold** and `code`.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nlog line\n```\n'}
      />,
    )
    expect(screen.getByRole('heading', { level: 2, name: 'Title' })).toBeInTheDocument()
    expect(container.querySelector('strong')).toHaveTextContent('bold')
    expect(container.querySelector('p code')).toHaveTextContent('code')
    expect(screen.getAllByRole('listitem')).toHaveLength(2)
    expect(screen.getByRole('columnheader', { name: 'a' })).toBeInTheDocument()
    expect(screen.getByRole('cell', { name: '2' })).toBeInTheDocument()
    expect(container.querySelector('pre')).toHaveTextContent('log line')
  })

  it('never turns text into markup', () => {
    const { container } = render(<Markdown source={'<img src=x onerror=alert(1)> hello'} />)
    expect(container.querySelector('img')).toBeNull()
    expect(container).toHaveTextContent('<img src=x onerror=alert(1)> hello')
  })
})
