import { createContext, useContext, type ReactNode } from 'react'
import type { InfoResponse } from '../api-types'
import { useAsync, type AsyncState } from '../use-async'
import { getInfo } from './get-info'

type InfoState = AsyncState<InfoResponse> & { reload: () => void }

const InfoContext = createContext<InfoState | null>(null)

/** Loads /api/info once for the whole app: every screen needs the limits and models. */
export function InfoProvider({ children }: { children: ReactNode }) {
  const state = useAsync(getInfo, 'info')
  return <InfoContext.Provider value={state}>{children}</InfoContext.Provider>
}

export function useInfoState(): InfoState {
  const state = useContext(InfoContext)
  if (!state) throw new Error('useInfo needs an <InfoProvider>')
  return state
}

/** The service's info once loaded, else null (screens work without it). */
export function useInfo(): InfoResponse | null {
  return useInfoState().data ?? null
}

/** The service's info where an <InfoProvider> is above (null elsewhere, or until loaded):
 * for small parts rendered on many screens, and in tests, without a provider. */
export function useOptionalInfo(): InfoResponse | null {
  return useContext(InfoContext)?.data ?? null
}
