import type { ReactNode } from 'react'
import { Icon, type IconName } from './Icon'

interface PageIntroProps {
  icon: IconName
  title: string
  children?: ReactNode
}

/** A screen's greeting: an icon, a title, one line on what to do. */
export function PageIntro({ icon, title, children }: PageIntroProps) {
  return (
    <header className="intro">
      <h1 className="intro__title">
        <Icon name={icon} className="intro__icon" /> {title}
      </h1>
      {children && <p className="intro__lead">{children}</p>}
    </header>
  )
}
