import { InfoProvider } from '@/lib/info/info-context'
import { RouterProvider, useRouter } from '@/lib/router'
import { Layout } from './Layout'
import { resolveRoute } from './routes'

function Screen() {
  const { path } = useRouter()
  const { title, element } = resolveRoute(path)
  return <Layout title={title}>{element}</Layout>
}

export function App() {
  return (
    <RouterProvider>
      <InfoProvider>
        <Screen />
      </InfoProvider>
    </RouterProvider>
  )
}
