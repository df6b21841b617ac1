import type { ReactNode } from 'react'
import { AnalyzePage } from '@/features/analyze/components/AnalyzePage'
import { BatchPage } from '@/features/batch/components/BatchPage'
import { HistoryDetail } from '@/features/history/components/HistoryDetail'
import { HistoryPage } from '@/features/history/components/HistoryPage'
import { ModelsPage } from '@/features/models/components/ModelsPage'
import { VideoPage } from '@/features/video/components/VideoPage'
import { matchPath } from '@/lib/router'
import { NotFound } from './NotFound'

export const NAV = [
  { to: '/', label: 'Analyze' },
  { to: '/batch', label: 'Batch' },
  { to: '/video', label: 'Video' },
  { to: '/history', label: 'History' },
  { to: '/models', label: 'Models' },
] as const

interface Route {
  pattern: string
  title: string
  render: (params: Record<string, string>) => ReactNode
}

const ROUTES: Route[] = [
  { pattern: '/', title: 'Analyze', render: () => <AnalyzePage /> },
  { pattern: '/batch', title: 'Batch', render: () => <BatchPage /> },
  { pattern: '/video', title: 'Video', render: () => <VideoPage /> },
  { pattern: '/history', title: 'History', render: () => <HistoryPage /> },
  {
    pattern: '/history/:id',
    title: 'Analysis',
    render: ({ id }) => <HistoryDetail key={id} id={id as string} />,
  },
  { pattern: '/models', title: 'Models', render: () => <ModelsPage /> },
]

/** The screen for a path, and its title. */
export function resolveRoute(path: string): { title: string; element: ReactNode } {
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, path)
    if (params) return { title: route.title, element: route.render(params) }
  }
  return { title: 'Not found', element: <NotFound /> }
}
