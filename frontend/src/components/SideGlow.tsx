import type { Verdict } from '@/lib/api-types'

/**
 * The screen-edge signal of a verdict: FAKE flashes the left edge red then settles to a
 * tint, REAL glows the right edge green, UNCERTAIN tints both edges amber. NO_FACE is no
 * verdict and shows nothing. Decorative only (the verdict text carries the meaning);
 * remount it (key) to replay the animation.
 */
export function SideGlow({ verdict }: { verdict: Verdict | null | undefined }) {
  if (!verdict || verdict === 'NO_FACE') return null
  const v = verdict.toLowerCase()
  const sides = verdict === 'FAKE' ? ['left'] : verdict === 'REAL' ? ['right'] : ['left', 'right']
  return (
    <>
      {sides.map((side) => (
        <div
          key={side}
          className={`side-glow side-glow--${v} side-glow--${side}`}
          data-testid="side-glow"
          data-verdict={verdict}
          data-side={side}
          aria-hidden="true"
        />
      ))}
    </>
  )
}
