"""Core results -> API responses (thumbnails and heatmaps as data URLs)."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import cv2
import numpy as np

from backend.schemas import (
    Box,
    DecisionBand,
    FaceResult,
    FrameDownscale,
    ImageSize,
    Keyframe,
    PhotoProgress,
    PredictionResponse,
    Provenance,
    Stability,
    TimelinePoint,
    VideoResponse,
)
from faceproof.gradcam import encode_png, heatmap_rgba, png_data_url
from faceproof.predictor import ImagePrediction, PredictionStep, Predictor
from faceproof.provenance import Provenance as FileProvenance
from faceproof.stability import FaceStability
from faceproof.verdict import DecisionRule
from faceproof.video_analysis import VideoPrediction

THUMBNAIL_SIDE = 160


def jpeg_data_url(rgb: np.ndarray, side: int = THUMBNAIL_SIDE, quality: int = 85) -> str:
    small = cv2.resize(rgb, (side, side), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(
        ".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:  # cannot happen for a uint8 RGB array; guard anyway
        raise ValueError("JPEG encoding failed")
    return "data:image/jpeg;base64," + base64.b64encode(data.tobytes()).decode()


def decision_band(rule: DecisionRule, owner: str) -> DecisionBand:
    """The decision rule as the API presents it (answers, models, info), with whose it is
    (`Predictor.rule_owner`): the one place a `DecisionBand` is made."""
    return DecisionBand(threshold=rule.threshold, low=rule.low, high=rule.high, owner=owner)


def decision_of(predictor: Predictor, models: Sequence[str]) -> DecisionBand:
    """The rule that decides for `models`, and whose it is."""
    return decision_band(predictor.rule(models), predictor.rule_owner(models))


def box_of(face_dict: dict) -> Box:
    return Box(
        x=face_dict["x"], y=face_dict["y"], width=face_dict["width"], height=face_dict["height"]
    )


def image_response(
    result: ImagePrediction,
    *,
    analysis_id: str,
    filename: str,
    decision: DecisionBand,
    provenance: FileProvenance,
) -> PredictionResponse:
    faces = []
    for f in result.faces:
        heatmaps = None
        if f.heatmaps:
            heatmaps = {
                name: png_data_url(encode_png(heatmap_rgba(cam, (THUMBNAIL_SIDE, THUMBNAIL_SIDE))))
                for name, cam in f.heatmaps.items()
            }
        faces.append(
            FaceResult(
                box=box_of(f.face.to_dict()),
                detection_score=round(f.face.score, 4),
                fake_probability=f.fake_probability,
                prediction=f.verdict,
                confidence=f.confidence,
                model_probabilities=f.model_probabilities,
                thumbnail=jpeg_data_url(f.crop),
                heatmaps=heatmaps,
                stability=stability_of(f.stability),
            )
        )
    return PredictionResponse(
        analysis_id=analysis_id,
        filename=filename,
        prediction=result.verdict,
        confidence=result.confidence,
        fake_probability=result.fake_probability,
        reason=result.reason,
        face_detected=result.face_detected,
        faces=faces,
        deciding_face=result.deciding_face,
        models_used=result.models_used,
        decision=decision,
        tta=result.tta,
        image=ImageSize(width=result.width, height=result.height),
        processing_time_ms=round(result.processing_time_ms, 2),
        provenance=provenance_of(provenance),
        stability=stability_of(result.stability, "the most suspicious face"),
    )


def progress_event(step: PredictionStep) -> PhotoProgress:
    """A stage of the core's analysis of a photo as the stream reports it."""
    return PhotoProgress(
        stage=step.stage, faces=step.faces, face_detected=step.face_detected, face=step.face
    )


def video_response(
    result: VideoPrediction,
    *,
    analysis_id: str,
    filename: str,
    decision: DecisionBand,
    provenance: FileProvenance,
) -> VideoResponse:
    return VideoResponse(
        analysis_id=analysis_id,
        filename=filename,
        prediction=result.verdict,
        confidence=result.confidence,
        fake_probability=result.fake_probability,
        fake_percentage=round(result.fake_percentage, 2),
        frames_analyzed=result.frames_analyzed,
        frames_with_faces=result.frames_with_faces,
        face_detected=result.face_detected,
        reason=result.reason,
        timeline=[
            TimelinePoint(
                frame=t.index,
                time_s=t.time_s,
                fake_probability=t.fake_probability,
                face_count=t.face_count,
                prediction=t.verdict,
            )
            for t in result.timeline
        ],
        keyframes=[
            Keyframe(
                frame=k.index,
                time_s=k.time_s,
                fake_probability=k.fake_probability,
                thumbnail=jpeg_data_url(k.crop),
                box=box_of(k.box),
            )
            for k in result.keyframes
        ],
        models_used=result.models_used,
        decision=decision,
        duration_s=result.duration_s,
        processing_time_ms=round(result.processing_time_ms, 2),
        downscaled=downscale_of(result.extras.get("downscaled")),
        provenance=provenance_of(provenance),
        stability=stability_of(result.stability, "the video"),
    )


def stability_of(stability: FaceStability | None, subject: str = "this face") -> Stability | None:
    return None if stability is None else Stability.model_validate(stability.to_dict(subject))


def provenance_of(provenance: FileProvenance) -> Provenance:
    return Provenance.model_validate(provenance.to_dict())


def downscale_of(extras: dict | None) -> FrameDownscale | None:
    if not extras:
        return None
    (w, h), (aw, ah) = extras["from"], extras["to"]
    return FrameDownscale(
        original=ImageSize(width=w, height=h), analysed=ImageSize(width=aw, height=ah)
    )


def face_summaries(result: ImagePrediction) -> list[dict]:
    """What the history keeps of each face (no pixels)."""
    return [
        {
            "box": f.face.to_dict(),
            "fake_probability": round(f.fake_probability, 6),
            "prediction": f.verdict.value,
            "model_probabilities": f.model_probabilities,
            **({"stability": f.stability.to_dict()} if f.stability else {}),
        }
        for f in result.faces
    ]
