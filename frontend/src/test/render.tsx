import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { InfoProvider } from '@/lib/info/info-context'
import { RouterProvider } from '@/lib/router'

/** Render inside the app's providers (router, /api/info), at `path`. */
export function renderApp(ui: ReactElement, { path = '/' }: { path?: string } = {}) {
  window.history.replaceState(null, '', path)
  return render(
    <RouterProvider>
      <InfoProvider>{ui}</InfoProvider>
    </RouterProvider>,
  )
}

export function imageFile(name = 'astronaut.jpg', size = 1000, type = 'image/jpeg'): File {
  return new File([new Uint8Array(size)], name, { type })
}
