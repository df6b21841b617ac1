import type { PhotoProgress } from '@/lib/api-types'

/** A stage of a photo's analysis in plain words: "Found 6 faces · making heatmaps 2 of 6". */
export function photoStepText(step: PhotoProgress): string {
  if (step.stage === 'detecting') return 'Looking for faces'
  const found = step.face_detected
    ? `Found ${step.faces} face${step.faces === 1 ? '' : 's'}`
    : 'No face found'
  const them = step.face_detected ? (step.faces === 1 ? 'it' : 'them') : 'the whole image'
  switch (step.stage) {
    case 'faces_found':
      return found
    case 'scoring':
      return `${found} · scoring ${them}`
    case 'stability':
      return `${found} · checking how stable the scores are`
    case 'heatmap':
      return `${found} · making heatmaps ${step.face ?? 1} of ${step.faces}`
    case 'recorded':
      return `${found} · saved to the history`
  }
}
