"""One analysis = read the upload, run the core, record it in the history, build the answer.

The functions named `analyse_*` are synchronous and run on worker threads, off the event
loop; reading uploads is async (backend/services/uploads.py).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np

from backend.core.memory import release_free_memory
from backend.core.settings import Settings
from backend.schemas import HistoryItem, PhotoProgress, PredictionResponse, VideoResponse
from backend.services.history import HistoryStore, new_record
from backend.services.kept_uploads import keep_upload
from backend.services.presenters import (
    decision_of,
    face_summaries,
    image_response,
    progress_event,
    video_response,
)
from backend.services.report import report_details
from faceproof.decode import decode_image
from faceproof.errors import VideoError
from faceproof.predictor import Predictor
from faceproof.provenance import read_provenance
from faceproof.video_analysis import Progress, analyze_video

log = logging.getLogger("backend.analyses")


def analyse_image(
    predictor: Predictor,
    history: HistoryStore,
    settings: Settings,
    data: bytes,
    filename: str,
    *,
    models: list[str] | None,
    tta: bool,
    explain: bool,
    batch_id: str | None = None,
    whole_image: bool = False,
    stability: bool = False,
    image: np.ndarray | None = None,
    progress: Callable[[PhotoProgress], None] | None = None,
) -> PredictionResponse:
    """`image`: `data` already decoded (`decode_photo`); `progress`: told each stage as it
    starts, the last once the analysis is recorded."""
    if image is None:
        image = decode_photo(settings, data)
    # beside the verdict, never an input to it
    provenance = read_provenance(data, "image", trust_anchors=settings.trust_anchors())
    result = predictor.predict_image(
        image,
        models=models,
        tta=tta,
        explain=explain,
        whole_image=whole_image,
        stability=stability,
        progress=None if progress is None else lambda step: progress(progress_event(step)),
    )
    analysis_id = str(uuid.uuid4())
    response = image_response(
        result,
        analysis_id=analysis_id,
        filename=filename,
        decision=decision_of(predictor, result.models_used),
        provenance=provenance,
    )
    top = None if result.deciding_face is None else result.faces[result.deciding_face]
    item = new_record(
        analysis_id,
        kind="image",
        filename=filename,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        result=result,
        model_scores=top.model_probabilities if top else {},
        faces=face_summaries(result),
        deciding_face=result.deciding_face,
        details={
            "face_detected": result.face_detected,
            "tta": tta,
            "width": result.width,
            "height": result.height,
            "reason": result.reason,
            "whole_image": whole_image,
            "provenance": provenance.to_dict(),
            "stability": response.stability and response.stability.model_dump(),
            "decision": response.decision.model_dump(),  # the rule that decided
            **report_details(
                predictor,
                settings,
                response,
                tta=tta,
                explain=explain,
                whole_image=whole_image,
                stability=stability,
            ),
        },
        batch_id=batch_id,
    )
    record(history, settings, item, data=data)
    if progress is not None:
        progress(
            PhotoProgress(
                stage="recorded", faces=len(result.faces), face_detected=result.face_detected
            )
        )
    return response


def decode_photo(settings: Settings, data: bytes) -> np.ndarray:
    """The upload's pixels; a file that is not an image we can decode (or too many pixels)
    raises the core's error, answered as a 4xx."""
    return decode_image(data, max_pixels=settings.MAX_IMAGE_PIXELS)


def analyse_video(
    predictor: Predictor,
    history: HistoryStore,
    settings: Settings,
    path: Path,
    filename: str,
    size: int,
    sha256: str,
    *,
    frames: int,
    models: list[str] | None,
    tta: bool,
    whole_image: bool = False,
    stability: bool = False,
    progress: Progress | None = None,
) -> VideoResponse:
    try:
        result = analyze_video(
            predictor,
            path,
            num_frames=frames,
            models=models,
            tta=tta,
            max_duration_s=settings.MAX_VIDEO_SECONDS,
            max_frame_pixels=settings.MAX_VIDEO_FRAME_PIXELS,
            max_total_pixels=settings.MAX_VIDEO_TOTAL_PIXELS,
            whole_frames=whole_image,
            stability=stability,
            progress=progress,
        )
    except VideoError as exc:
        # the core names the file it read, our private temporary copy: name the user's file
        message = str(exc).replace(str(path), filename).replace(path.name, filename)
        raise type(exc)(message) from exc
    release_free_memory()  # the decoded frames (200 MB for 32 at 1080p) are garbage now
    analysis_id = str(uuid.uuid4())
    # beside the verdict, never an input to it
    provenance = read_provenance(path, "video", trust_anchors=settings.trust_anchors())
    response = video_response(
        result,
        analysis_id=analysis_id,
        filename=filename,
        decision=decision_of(predictor, result.models_used),
        provenance=provenance,
    )
    item = new_record(
        analysis_id,
        kind="video",
        filename=filename,
        size_bytes=size,
        sha256=sha256,
        result=result,
        model_scores={},
        faces=[],
        details={
            "frames_analyzed": result.frames_analyzed,
            "frames_with_faces": result.frames_with_faces,
            "fake_percentage": result.fake_percentage,
            "face_detected": result.face_detected,
            "reason": result.reason,
            "downscaled": result.extras.get("downscaled"),
            "timeline": [{"time_s": t.time_s, "p": t.fake_probability} for t in result.timeline],
            "provenance": provenance.to_dict(),
            "stability": response.stability and response.stability.model_dump(),
            "decision": response.decision.model_dump(),  # the rule that decided
            **report_details(
                predictor,
                settings,
                response,
                tta=tta,
                frames=frames,
                whole_image=whole_image,
                stability=stability,
            ),
        },
    )
    record(history, settings, item, path=path)
    return response


def record(
    history: HistoryStore,
    settings: Settings,
    item: HistoryItem,
    *,
    data: bytes | None = None,
    path: Path | None = None,
) -> None:
    """Keep the upload (when KEEP_UPLOADS), then record the analysis: when either fails,
    neither stays (a kept file whose record failed is removed), so an error answer never
    leaves an analysis behind and a retry never duplicates one. HISTORY_ENABLED=false:
    neither is kept."""
    if not settings.HISTORY_ENABLED:
        return
    kept = keep_upload(settings, item.id, data=data, path=path)
    try:
        history.add(item)
    except BaseException:
        if kept is not None:
            kept.unlink(missing_ok=True)
        raise
