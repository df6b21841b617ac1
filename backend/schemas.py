"""Response models of the API (the OpenAPI schema the frontend's types are generated from)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from faceproof.provenance.report import CredentialsStatus, FindingLevel
from faceproof.verdict import Verdict


class ErrorBody(BaseModel):
    detail: str = Field(examples=["the file is not an image we can decode"])
    code: str = Field(examples=["undecodable_image"])


class Box(BaseModel):
    x: int
    y: int
    width: int
    height: int


class Stability(BaseModel):
    """How far the fake probability moves under benign changes (asked with `stability`)."""

    summary: str = Field(description="one sentence in plain words")
    low: float = Field(ge=0, le=1, description="lowest fake probability, as scored or changed")
    high: float = Field(ge=0, le=1, description="highest")
    changes: dict[str, float] = Field(
        description="fake probability under each change: jpeg_50 (JPEG quality 50), "
        "downscale_0.5 (half size and back), noise_5 (Gaussian noise, 5/255)"
    )
    verdicts: list[Verdict] = Field(description="the verdicts the range spans under the rule")
    unstable: bool = Field(
        description="the range crosses a cut of the rule: one of the "
        "changes alone would give another verdict"
    )


STABILITY_NOTE = "null unless `stability` was asked (or NO_FACE)"


class FaceResult(BaseModel):
    box: Box
    detection_score: float = Field(description="face detector score; 0 for a whole image")
    fake_probability: float = Field(ge=0, le=1)
    prediction: Verdict
    confidence: float = Field(ge=0, le=1)
    model_probabilities: dict[str, float] = Field(
        description="calibrated FAKE probability per model"
    )
    thumbnail: str = Field(description="the face crop as a JPEG data URL")
    heatmaps: dict[str, str] | None = Field(
        None, description="Grad-CAM per model: RGBA PNG data URLs, same size as the thumbnail"
    )
    stability: Stability | None = Field(None, description=STABILITY_NOTE)


class DecisionBand(BaseModel):
    threshold: float
    low: float
    high: float
    owner: str | None = Field(
        None,
        examples=["ensemble"],
        description="whose rule this is: 'ensemble' (the fitted ensemble's, which also decides "
        "for its one weighted model alone) or a model's name; null in history records made "
        "before it was kept",
    )


class ImageSize(BaseModel):
    width: int
    height: int


NO_FACE_NOTE = "null when `prediction` is NO_FACE (no face: the models have nothing to judge)"


class ProvenanceFinding(BaseModel):
    code: str = Field(examples=["no_credentials"], description="stable machine-readable name")
    level: FindingLevel = Field(
        description="info: a plain fact; notice: worth a look; "
        "warning: the file says it was generated or "
        "altered, or its credentials fail"
    )
    text: str = Field(description="one line in plain words")


class ContentCredentials(BaseModel):
    status: CredentialsStatus = Field(
        description="absent: no C2PA manifest (common, proves nothing); valid: signed, "
        "intact, signer trusted; untrusted: signed and intact, but the signer is on "
        "no trust list this service knows; invalid: changed after signing or a bad "
        "signature; unreadable: a manifest that could not be parsed; unsupported: "
        "a format that cannot carry one"
    )
    signer: str | None = Field(description="the signing certificate's name (and organisation)")
    claim_generator: str | None = Field(description="the program that wrote the manifest")
    signed_at: str | None
    actions: list[str] = Field(description="actions of the active manifest (c2pa.created, ...)")
    digital_source_types: list[str] = Field(
        description="IPTC digital source types named in the manifests (trainedAlgorithmicMedia, "
        "compositeWithTrainedAlgorithmicMedia, digitalCapture, ...)"
    )
    ai_generated: bool = Field(
        description="a digital source type says a trained model made the content or part of it"
    )
    validation_errors: list[str] = Field(description="the validator's failure codes")


class MediaMetadata(BaseModel):
    sources: list[str] = Field(description="blocks found: EXIF, XMP, IPTC, PNG text, container")
    camera_make: str | None
    camera_model: str | None
    software: str | None
    captured_at: str | None
    modified_at: str | None
    gps_present: bool = Field(description="whether a location is recorded (never its value)")
    encoder: str | None = Field(description="video: the container's encoder tag")
    created_at: str | None = Field(description="video: the container's creation time")
    digital_source_type: str | None = Field(
        description="the IPTC digital source type in XMP (unsigned: anyone can write it)"
    )
    generator_keys: list[str] = Field(description="PNG text keys image generators write")


class Provenance(BaseModel):
    """What the file says about its own origin: Content Credentials and metadata. Reported
    beside the verdict; it never changes the verdict."""

    media_kind: Literal["image", "video"]
    content_credentials: ContentCredentials
    metadata: MediaMetadata
    findings: list[ProvenanceFinding] = Field(description="one line per finding, in plain words")
    note: str = Field(description="that provenance does not change the verdict")


PROVENANCE_NOTE = (
    "Content Credentials and metadata of the file; reported beside the verdict, never used for it"
)


DECIDING_FACE_NOTE = (
    "index in `faces` of the face whose verdict, probability and stability "
    "are the image's: the most suspicious, the first found on a tie; null "
    "when `prediction` is NO_FACE"
)


class PredictionResponse(BaseModel):
    analysis_id: str
    filename: str
    prediction: Verdict = Field(
        description="REAL, UNCERTAIN or FAKE for the most suspicious "
        "face; NO_FACE when no face was found"
    )
    confidence: float | None = Field(ge=0, le=1, examples=[0.973], description=NO_FACE_NOTE)
    fake_probability: float | None = Field(ge=0, le=1, examples=[0.973], description=NO_FACE_NOTE)
    reason: str
    face_detected: bool
    faces: list[FaceResult]
    deciding_face: int | None = Field(description=DECIDING_FACE_NOTE, examples=[0])
    models_used: list[str]
    decision: DecisionBand
    tta: bool
    image: ImageSize
    processing_time_ms: float
    provenance: Provenance = Field(description=PROVENANCE_NOTE)
    stability: Stability | None = Field(
        None, description="of the most suspicious face, change by change; " + STABILITY_NOTE
    )


PhotoStage = Literal["detecting", "faces_found", "scoring", "stability", "heatmap", "recorded"]


class PhotoProgress(BaseModel):
    """A stage of one photo's analysis as it starts (`recorded`: written to the history)."""

    event: Literal["progress"] = "progress"
    stage: PhotoStage = Field(
        description="detecting: looking for faces; faces_found: "
        "detection done; scoring: the models score the faces; "
        "stability: re-scoring under benign changes; heatmap: Grad-CAM "
        "of face `face` of `faces`; recorded: in the history"
    )
    faces: int = Field(
        ge=0, description="faces to score (0 until found; 1 for a whole image scored as a face)"
    )
    face_detected: bool
    face: int | None = Field(None, ge=1, description="heatmap: the face (1-based)")


class PhotoDone(BaseModel):
    """The last event of a streamed analysis that succeeded: the plain endpoint's body."""

    event: Literal["done"] = "done"
    result: PredictionResponse


class PhotoFailed(BaseModel):
    """The last event of a streamed analysis that failed: the error the plain endpoint would
    have answered, with its status."""

    event: Literal["failed"] = "failed"
    status: int = Field(description="the HTTP status the plain endpoint would have answered")
    error: ErrorBody


PhotoEvent = Annotated[PhotoProgress | PhotoDone | PhotoFailed, Field(discriminator="event")]


class BatchSummary(BaseModel):
    total: int
    real: int
    fake: int
    uncertain: int
    no_face: int = Field(description="analysed, but no face was found (no verdict)")
    failed: int
    processing_time_ms: float


class BatchItemError(BaseModel):
    index: int
    filename: str
    code: str
    detail: str


class BatchResponse(BaseModel):
    summary: BatchSummary
    results: list[PredictionResponse] = Field(description="successful files, in upload order")
    errors: list[BatchItemError]


class TimelinePoint(BaseModel):
    frame: int
    time_s: float
    fake_probability: float | None
    face_count: int
    prediction: Verdict | None


class Keyframe(BaseModel):
    frame: int
    time_s: float
    fake_probability: float
    thumbnail: str
    box: Box


class FrameDownscale(BaseModel):
    original: ImageSize = Field(description="the video's own frame size")
    analysed: ImageSize = Field(description="the size its frames were analysed at")


class VideoResponse(BaseModel):
    analysis_id: str
    filename: str
    prediction: Verdict = Field(
        description="REAL, UNCERTAIN or FAKE from the frames with a "
        "face; NO_FACE when no sampled frame has one"
    )
    confidence: float | None = Field(description=NO_FACE_NOTE)
    fake_probability: float | None = Field(description=NO_FACE_NOTE)
    fake_percentage: float = Field(description="share of frames with a face judged FAKE, 0-100")
    frames_analyzed: int
    frames_with_faces: int
    face_detected: bool
    reason: str
    timeline: list[TimelinePoint]
    keyframes: list[Keyframe]
    models_used: list[str]
    decision: DecisionBand
    duration_s: float
    processing_time_ms: float
    downscaled: FrameDownscale | None = Field(
        None,
        description="set when frames were decoded smaller than the video's own size to "
        "bound memory (settings MAX_VIDEO_FRAME_PIXELS and "
        "MAX_VIDEO_TOTAL_PIXELS)",
    )
    provenance: Provenance = Field(description=PROVENANCE_NOTE)
    stability: Stability | None = Field(
        None, description="of the video's fake probability, change by change; " + STABILITY_NOTE
    )


JobState = Literal["queued", "running", "done", "failed"]


class JobCreated(BaseModel):
    job_id: str
    status: JobState
    status_url: str
    events_url: str


class JobStatus(BaseModel):
    job_id: str
    status: JobState
    progress: float = Field(ge=0, le=1)
    stage: str
    filename: str
    created_at: str
    finished_at: str | None = None
    result: VideoResponse | None = None
    error: ErrorBody | None = None


class ModelMetrics(BaseModel, extra="allow"):
    roc_auc: float | None = None
    accuracy: float | None = None
    samples: int | None = None


class ModelInfo(BaseModel):
    name: str
    arch: str
    input_size: int
    mean: list[float]
    std: list[float]
    interpolation: str
    face_margin: float
    threshold: float
    temperature: float
    abstain_band: DecisionBand
    metrics: dict
    data: dict
    created: str
    card: str = Field(description="MODEL_CARD.md text")
    reports: list[str] = Field(description="URLs of the report figures")


class Limits(BaseModel):
    max_image_bytes: int
    max_video_bytes: int
    max_image_pixels: int
    max_batch_files: int
    max_video_seconds: float
    video_frames: int
    max_video_frames: int
    max_faces: int


class ModelRuntime(BaseModel):
    device: str = Field(description="where the model runs: cpu, cuda:0, ...")
    runtime: str = Field(
        "torch",
        description="what runs it: torch (the reference), "
        "onnxruntime or openvino; 'not started' for a model that runs only "
        "when a request names it, until the first such request",
    )
    precision: str = Field(description="fp32, bf16 or int8 ('not started', as runtime)")
    runs_by_default: bool = Field(
        True,
        description="runs for a request that names no models; "
        "false: the fitted ensemble gives it weight 0, so it cannot "
        "change a verdict, and it runs only when named",
    )


class InfoResponse(BaseModel):
    name: str = "FaceProof"
    version: str
    models: list[str] = Field(description="the loaded models")
    default_models: list[str] = Field(
        description="the models a request runs when it names "
        "none: the loaded models the fitted ensemble weighs"
    )
    ensemble: DecisionBand = Field(description="the rule that decides for default_models")
    face_detector: str
    limits: Limits
    versions: dict[str, str]
    device: str = Field(
        description="where the models run (the device in use, not merely one that is present)"
    )
    runtime: dict[str, ModelRuntime] = Field(
        description="per model: device, runtime and precision in use"
    )
    api_key_required: bool
    history_enabled: bool = Field(
        True,
        description="analyses are recorded (HISTORY_ENABLED): "
        "each answer's analysis_id opens /history/<id> and its report",
    )


# The one record of an analysis: built by services/history.new_record, written as the row of
# Analysis (the same columns, by name: tests/backend/test_layout.py), and served as is.
class HistoryItem(BaseModel):
    id: str
    created_at: str
    kind: str
    filename: str
    size_bytes: int
    sha256: str
    prediction: Verdict
    confidence: float | None = Field(description=NO_FACE_NOTE)
    fake_probability: float | None = Field(description=NO_FACE_NOTE)
    models: list[str]
    model_scores: dict[str, float]
    faces: list[dict]
    deciding_face: int | None = Field(
        None, description="an image: " + DECIDING_FACE_NOTE + "; a video: null"
    )
    details: dict
    duration_ms: float
    batch_id: str | None = None


class HistoryPage(BaseModel):
    items: list[HistoryItem]
    total: int
    page: int
    page_size: int


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    ready: bool
    models: list[str]
    detail: str = ""
