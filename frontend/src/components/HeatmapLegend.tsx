/**
 * How to read a Grad-CAM heatmap. The service draws each map with OpenCV's Turbo colour map
 * (faceproof/gradcam.py: blue for low, through green and yellow, to red for high), more
 * transparent where it is low, each map scaled to its own strongest spot: the colours rank
 * the parts of one face for one model's score; they do not mark where a fake is.
 */

// Turbo at 0, 0.25, 0.5, 0.75 and 1, fading to clear at the cold end as the map does (its
// opacity rises with the value), a little stronger than on a face so the hues read on white
const TURBO =
  'linear-gradient(to right, rgb(48 18 59 / 0.08), rgb(26 228 182 / 0.6) 25%, rgb(164 252 60 / 0.8) 50%, rgb(251 126 33 / 0.9) 75%, rgb(122 4 3))'

export const HOW_TO_READ =
  'How to read this: warm colours are where this model looked most for its score, compared with the rest of this face — not where a fake is (a real face has warm spots too).'

export function HeatmapLegend() {
  return (
    <div className="heat-legend" data-testid="heatmap-legend">
      <div className="heat-legend__scale">
        <span>Looked at little</span>
        <span className="heat-legend__bar" style={{ backgroundImage: TURBO }} aria-hidden="true" />
        <span>Looked at most</span>
      </div>
      <p className="heat-legend__how" data-testid="heatmap-how-to-read">
        {HOW_TO_READ}
      </p>
    </div>
  )
}
