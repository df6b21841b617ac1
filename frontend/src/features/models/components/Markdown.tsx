import type { ReactNode } from 'react'

/**
 * A small Markdown subset, enough for model cards: headings, paragraphs, lists, tables,
 * code blocks, **bold**, *italic* and `code`. Built as React elements, never as HTML, so a
 * card cannot inject markup.
 */
export function Markdown({ source, headingOffset = 1 }: { source: string; headingOffset?: number }) {
  return <div className="markdown">{blocks(source, headingOffset)}</div>
}

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = []
  const pattern = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*)/g
  let last = 0
  let match: RegExpExecArray | null
  let key = 0
  while ((match = pattern.exec(text)) !== null) {
    if (match.index > last) out.push(text.slice(last, match.index))
    const token = match[0]
    if (token.startsWith('`')) out.push(<code key={key++}>{token.slice(1, -1)}</code>)
    else if (token.startsWith('**')) out.push(<strong key={key++}>{token.slice(2, -2)}</strong>)
    else out.push(<em key={key++}>{token.slice(1, -1)}</em>)
    last = match.index + token.length
  }
  if (last < text.length) out.push(text.slice(last))
  return out
}

function cells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim())
}

function blocks(source: string, headingOffset: number): ReactNode[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n')
  const out: ReactNode[] = []
  let i = 0
  let key = 0
  while (i < lines.length) {
    const line = lines[i] as string
    if (!line.trim()) {
      i += 1
    } else if (line.startsWith('```')) {
      const code: string[] = []
      i += 1
      while (i < lines.length && !(lines[i] as string).startsWith('```')) code.push(lines[i++] as string)
      i += 1
      out.push(
        <pre key={key++}>
          <code>{code.join('\n')}</code>
        </pre>,
      )
    } else if (/^#{1,6}\s/.test(line)) {
      const level = Math.min(6, (line.match(/^#+/)?.[0].length ?? 1) + headingOffset)
      const Tag = `h${level}` as 'h2'
      out.push(<Tag key={key++}>{inline(line.replace(/^#+\s*/, ''))}</Tag>)
      i += 1
    } else if (line.trim().startsWith('|')) {
      const rows: string[][] = []
      while (i < lines.length && (lines[i] as string).trim().startsWith('|')) {
        const row = lines[i++] as string
        if (!/^\s*\|?\s*:?-{2,}/.test(row)) rows.push(cells(row))
      }
      const [head, ...body] = rows
      out.push(
        <div className="table-wrap" key={key++}>
          <table>
            {head && (
              <thead>
                <tr>
                  {head.map((c, j) => (
                    <th key={j}>{inline(c)}</th>
                  ))}
                </tr>
              </thead>
            )}
            <tbody>
              {body.map((r, j) => (
                <tr key={j}>
                  {r.map((c, k) => (
                    <td key={k}>{inline(c)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>,
      )
    } else if (/^\s*([-*]|\d+\.)\s/.test(line)) {
      const ordered = /^\s*\d+\./.test(line)
      const items: string[] = []
      while (i < lines.length && /^\s*([-*]|\d+\.)\s/.test(lines[i] as string)) {
        items.push((lines[i++] as string).replace(/^\s*([-*]|\d+\.)\s+/, ''))
      }
      const List = ordered ? 'ol' : 'ul'
      out.push(
        <List key={key++}>
          {items.map((item, j) => (
            <li key={j}>{inline(item)}</li>
          ))}
        </List>,
      )
    } else {
      const paragraph: string[] = []
      while (
        i < lines.length &&
        (lines[i] as string).trim() &&
        !/^(#{1,6}\s|```|\s*\||\s*([-*]|\d+\.)\s)/.test(lines[i] as string)
      ) {
        paragraph.push((lines[i++] as string).trim())
      }
      out.push(<p key={key++}>{inline(paragraph.join(' '))}</p>)
    }
  }
  return out
}
