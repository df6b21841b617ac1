import { useState, type FormEvent } from 'react'

/** Search the history by a part of the file name or a SHA-256 (its first hex digits). */
export function HistorySearch({ value, onSearch }: { value: string; onSearch: (text: string) => void }) {
  const [text, setText] = useState(value)
  const submit = (event: FormEvent) => {
    event.preventDefault()
    onSearch(text.trim())
  }
  return (
    <form className="history-search" role="search" onSubmit={submit}>
      <label className="visually-hidden" htmlFor="history-q">
        Search by file name or SHA-256
      </label>
      <input
        id="history-q"
        type="search"
        value={text}
        maxLength={200}
        placeholder="File name or SHA-256"
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" className="button button--small">
        Search
      </button>
      {value && (
        <button
          type="button"
          className="button button--small button--quiet"
          onClick={() => {
            setText('')
            onSearch('')
          }}
        >
          Clear
        </button>
      )}
    </form>
  )
}

/** "Page [3] of 12": type a page number and go there (Enter or Go). */
export function PageJump({ page, pages, onJump }: { page: number; pages: number; onJump: (page: number) => void }) {
  const [text, setText] = useState(String(page))
  const wanted = Number.parseInt(text, 10)
  const valid = Number.isInteger(wanted) && wanted >= 1 && wanted <= pages
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (valid && wanted !== page) onJump(wanted)
  }
  return (
    <form className="pager__jump" onSubmit={submit} aria-label="Go to page">
      <label htmlFor="history-page">Page</label>
      <input
        id="history-page"
        type="number"
        inputMode="numeric"
        min={1}
        max={pages}
        value={text}
        aria-invalid={!valid}
        onChange={(e) => setText(e.target.value)}
      />
      <span>of {pages}</span>
      <button type="submit" className="button button--small" disabled={!valid || wanted === page}>
        Go
      </button>
    </form>
  )
}
