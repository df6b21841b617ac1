import { PageIntro } from '@/components/PageIntro'
import { Link } from '@/lib/router'

export function NotFound() {
  return (
    <div className="page">
      <PageIntro icon="compass" title="This page does not exist">
        <Link to="/">Go to Analyze</Link>
      </PageIntro>
    </div>
  )
}
