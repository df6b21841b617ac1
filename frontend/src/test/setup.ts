import '@testing-library/jest-dom/vitest'
import { cleanup } from '@testing-library/react'
import { afterEach, beforeEach, vi } from 'vitest'

beforeEach(() => {
  // jsdom has no object URLs and no scrolling
  let n = 0
  URL.createObjectURL = vi.fn(() => `blob:test/${(n += 1)}`)
  URL.revokeObjectURL = vi.fn()
  window.scrollTo = vi.fn() as unknown as typeof window.scrollTo
})

afterEach(() => {
  cleanup()
  window.localStorage.clear()
})
