import type { ReactNode } from 'react'

interface PageIntroProps {
  emoji: string
  title: string
  children?: ReactNode
}

/** A screen's greeting: an emoji, a title, one line on what to do. */
export function PageIntro({ emoji, title, children }: PageIntroProps) {
  return (
    <header className="intro">
      <h1 className="intro__title">
        <span className="intro__emoji" aria-hidden="true">
          {emoji}
        </span>{' '}
        {title}
      </h1>
      {children && <p className="intro__lead">{children}</p>}
    </header>
  )
}
