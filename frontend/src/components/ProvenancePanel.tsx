import type { Provenance, ProvenanceFinding } from '@/lib/api-types'

const LEVEL_LABEL: Record<ProvenanceFinding['level'], string> = {
  info: 'Fact',
  notice: 'Worth a look',
  warning: 'Warning',
}

/** What the file says about its own origin (Content Credentials, EXIF/XMP/IPTC, a video
 * container's tags), one line per finding. Shown beside the verdict, never part of it. */
export function ProvenancePanel({ provenance }: { provenance: Provenance }) {
  return (
    <section className="panel provenance" aria-labelledby="provenance-title" data-testid="provenance">
      <h2 className="panel__title" id="provenance-title">
        Provenance
      </h2>
      <ul className="provenance__findings">
        {provenance.findings.map((finding, i) => (
          <li key={i} className={`provenance__finding provenance__finding--${finding.level}`} data-level={finding.level}>
            <span className="visually-hidden">{LEVEL_LABEL[finding.level]}: </span>
            {finding.text}
          </li>
        ))}
      </ul>
      <p className="panel__note" data-testid="provenance-note">
        This does not change the model’s verdict: it is what the file says about itself, and metadata can be
        stripped or forged.
      </p>
    </section>
  )
}
