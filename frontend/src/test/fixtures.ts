import type {
  BatchResponse,
  FaceResult,
  HistoryItem,
  InfoResponse,
  JobStatus,
  ModelInfo,
  PredictionResponse,
  Provenance,
  VideoResponse,
} from '@/lib/api-types'

// 1x1 pixel images: enough for <img> in jsdom
export const JPEG = 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ=='
export const PNG = 'data:image/png;base64,iVBORw0KGgo='

export const info: InfoResponse = {
  name: 'FaceProof',
  version: '0.1.0',
  models: ['fake_a', 'real_c'],
  default_models: ['fake_a', 'real_c'],
  ensemble: { threshold: 0.5, low: 0.4, high: 0.6 },
  face_detector: 'haar',
  limits: {
    max_image_bytes: 2 * 1024 * 1024,
    max_video_bytes: 10 * 1024 * 1024,
    max_image_pixels: 40_000_000,
    max_batch_files: 4,
    max_video_seconds: 300,
    video_frames: 32,
    max_video_frames: 128,
    max_faces: 16,
  },
  versions: { faceproof: '0.1.0' },
  device: 'cpu',
  runtime: {
    fake_a: { device: 'cpu', runtime: 'torch', precision: 'fp32', runs_by_default: true },
    real_c: { device: 'cpu', runtime: 'torch', precision: 'fp32', runs_by_default: true },
  },
  api_key_required: false,
  history_enabled: true,
}

/** A file without Content Credentials or metadata: the common case. */
export function provenance(overrides: Partial<Provenance> = {}): Provenance {
  return {
    media_kind: 'image',
    content_credentials: {
      status: 'absent',
      signer: null,
      claim_generator: null,
      signed_at: null,
      actions: [],
      digital_source_types: [],
      ai_generated: false,
      validation_errors: [],
    },
    metadata: {
      sources: [],
      camera_make: null,
      camera_model: null,
      software: null,
      captured_at: null,
      modified_at: null,
      gps_present: false,
      encoder: null,
      created_at: null,
      digital_source_type: null,
      generator_keys: [],
    },
    findings: [
      {
        code: 'no_credentials',
        level: 'info',
        text: 'No Content Credentials (C2PA) in this file; that is common and proves nothing.',
      },
      {
        code: 'no_metadata',
        level: 'info',
        text: 'The file has no camera metadata (EXIF, XMP or IPTC); messaging apps and social networks strip it, so this proves nothing.',
      },
    ],
    note: 'Provenance is what the file says about itself. It is reported beside the verdict and never changes it.',
    ...overrides,
  }
}

export function face(overrides: Partial<FaceResult> = {}): FaceResult {
  return {
    box: { x: 10, y: 20, width: 30, height: 30 },
    detection_score: 0.95,
    fake_probability: 0.973,
    prediction: 'FAKE',
    confidence: 0.973,
    model_probabilities: { fake_a: 0.982, real_c: 0.964 },
    thumbnail: JPEG,
    heatmaps: { fake_a: PNG, real_c: PNG },
    ...overrides,
  }
}

export function prediction(overrides: Partial<PredictionResponse> = {}): PredictionResponse {
  return {
    analysis_id: 'a1',
    filename: 'astronaut.jpg',
    prediction: 'FAKE',
    confidence: 0.973,
    fake_probability: 0.973,
    reason: '1 face found; the most suspicious decides: fake probability 97.3% is at or above 60.0%',
    face_detected: true,
    faces: [face()],
    deciding_face: 0,
    models_used: ['fake_a', 'real_c'],
    decision: { threshold: 0.5, low: 0.4, high: 0.6 },
    tta: false,
    image: { width: 100, height: 100 },
    processing_time_ms: 226.8,
    provenance: provenance(),
    ...overrides,
  }
}

/** The reason the service gives when no face is found. */
export const NO_FACE_REASON =
  'No face was found (faces smaller than 40 pixels are not looked for). The models judge faces ' +
  'only, so there is no verdict for this image.'

/** No face found: no probability, no verdict. */
export function noFacePrediction(overrides: Partial<PredictionResponse> = {}): PredictionResponse {
  return prediction({
    analysis_id: 'n1',
    filename: 'grey.png',
    prediction: 'NO_FACE',
    confidence: null,
    fake_probability: null,
    reason: NO_FACE_REASON,
    deciding_face: null,
    face_detected: false,
    faces: [],
    ...overrides,
  })
}

export function batch(): BatchResponse {
  return {
    summary: { total: 3, real: 1, fake: 1, uncertain: 0, no_face: 0, failed: 1, processing_time_ms: 812 },
    results: [
      prediction({ analysis_id: 'b1', filename: 'one.jpg' }),
      prediction({
        analysis_id: 'b3',
        filename: 'three.jpg',
        prediction: 'REAL',
        confidence: 0.9,
        fake_probability: 0.1,
        faces: [face({ prediction: 'REAL', fake_probability: 0.1, confidence: 0.9 })],
      }),
    ],
    errors: [
      {
        index: 1,
        filename: 'broken.jpg',
        code: 'undecodable_image',
        detail: 'Not an image in a supported format',
      },
    ],
  }
}

export function video(overrides: Partial<VideoResponse> = {}): VideoResponse {
  return {
    analysis_id: 'v1',
    filename: 'clip.avi',
    prediction: 'FAKE',
    confidence: 0.8,
    fake_probability: 0.8,
    fake_percentage: 75,
    frames_analyzed: 4,
    frames_with_faces: 3,
    face_detected: true,
    reason: '3 of 4 sampled frames show a face; mean fake probability 80.0% is at or above 60.0%',
    timeline: [
      { frame: 0, time_s: 0, fake_probability: 0.7, face_count: 1, prediction: 'FAKE' },
      { frame: 10, time_s: 1, fake_probability: null, face_count: 0, prediction: null },
      { frame: 20, time_s: 2, fake_probability: 0.9, face_count: 1, prediction: 'FAKE' },
      { frame: 30, time_s: 3, fake_probability: 0.8, face_count: 1, prediction: 'FAKE' },
    ],
    keyframes: [{ frame: 20, time_s: 2, fake_probability: 0.9, thumbnail: JPEG, box: { x: 1, y: 2, width: 3, height: 4 } }],
    models_used: ['fake_a'],
    decision: { threshold: 0.5, low: 0.4, high: 0.6 },
    duration_s: 3,
    processing_time_ms: 1344,
    provenance: provenance({ media_kind: 'video' }),
    ...overrides,
  }
}

/** A video where no sampled frame shows a face. */
export function noFaceVideo(overrides: Partial<VideoResponse> = {}): VideoResponse {
  return video({
    analysis_id: 'v2',
    filename: 'empty-room.avi',
    prediction: 'NO_FACE',
    confidence: null,
    fake_probability: null,
    fake_percentage: 0,
    frames_with_faces: 0,
    face_detected: false,
    reason:
      'No face was found (faces smaller than 40 pixels are not looked for). The models judge ' +
      'faces only, so there is no verdict for this video (4 frames sampled).',
    timeline: [0, 1, 2, 3].map((i) => ({
      frame: i * 10,
      time_s: i,
      fake_probability: null,
      face_count: 0,
      prediction: null,
    })),
    keyframes: [],
    ...overrides,
  })
}

export function job(overrides: Partial<JobStatus> = {}): JobStatus {
  return {
    job_id: 'j1',
    status: 'running',
    progress: 0.5,
    stage: 'scoring faces',
    filename: 'clip.avi',
    created_at: '2026-01-01T00:00:00Z',
    finished_at: null,
    result: null,
    error: null,
    ...overrides,
  }
}

export function historyItem(overrides: Partial<HistoryItem> = {}): HistoryItem {
  return {
    id: 'h1',
    created_at: '2026-01-01T10:00:00+00:00',
    kind: 'image',
    filename: 'astronaut.jpg',
    size_bytes: 99_308,
    sha256: 'abc',
    prediction: 'FAKE',
    confidence: 0.973,
    fake_probability: 0.973,
    models: ['fake_a'],
    model_scores: { fake_a: 0.973 },
    faces: [],
    deciding_face: null,
    details: { reason: 'fake probability 97.3% is at or above 60.0%' },
    duration_ms: 226,
    batch_id: null,
    ...overrides,
  }
}

export function model(overrides: Partial<ModelInfo> = {}): ModelInfo {
  return {
    name: 'fake_a',
    arch: 'efficientnet_lite0',
    input_size: 224,
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
    interpolation: 'bicubic',
    face_margin: 0.3,
    threshold: 0.5,
    temperature: 1.2,
    abstain_band: { threshold: 0.5, low: 0.4, high: 0.6 },
    metrics: { roc_auc: 0.912, accuracy: 0.874, samples: 2400, confusion_matrix: [[1, 2], [3, 4]] },
    data: { source: 'dfdc', total: { images: 12000 } },
    created: '2026-01-01T00:00:00Z',
    card: '# Model card: fake_a\n\nA **test** model.\n\n| metric | value |\n|---|---|\n| ROC-AUC | 0.91 |\n',
    reports: ['/api/models/fake_a/reports/roc.png'],
    ...overrides,
  }
}
