"""One analysis = read the upload, run the core, record it in the history, build the answer.

The functions named `analyse_*` are synchronous and run on worker threads, off the event
loop; reading uploads is async.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from fastapi import UploadFile

from backend.errors import APIError
from backend.history import HistoryStore
from backend.kept_uploads import VIDEO_SUFFIXES, keep_upload
from backend.memory import release_free_memory
from backend.presenters import decision, face_summaries, image_response, video_response
from backend.report import report_details
from backend.schemas import PredictionResponse, VideoResponse
from backend.settings import Settings
from backend.temp_space import TempSpace
from faceproof.decode import decode_image
from faceproof.errors import VideoError
from faceproof.predictor import Predictor
from faceproof.provenance import read_provenance
from faceproof.video_analysis import Progress, analyze_video

log = logging.getLogger("backend.analyses")
CHUNK = 1024 * 1024


def clean_filename(name: str | None) -> str:
    """A display name only: never used as a path. Last path part, no control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name)
                   if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    return name[:200] or "upload"


async def read_upload(file: UploadFile, limit: int) -> bytes:
    """The whole upload, refusing more than `limit` bytes and empty files."""
    chunks = [chunk async for chunk in _chunks(file, limit)]
    return b"".join(chunks)


async def _chunks(file: UploadFile, limit: int):
    """The upload's chunks; refuses it past `limit` bytes, and when it is empty."""
    size = 0
    while chunk := await file.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise APIError(413, "file_too_large",
                           f"{clean_filename(file.filename)} is larger than the limit of "
                           f"{limit:,} bytes")
        yield chunk
    if size == 0:
        raise APIError(400, "empty_file", f"{clean_filename(file.filename)} is empty")


@dataclass
class SavedUpload:
    """An upload streamed into a private temporary file, its bytes taken from `space`."""

    path: Path
    size: int
    sha256: str
    space: TempSpace | None = None

    def discard(self) -> None:
        """Delete the file and give its bytes back (idempotent)."""
        self.path.unlink(missing_ok=True)
        if self.space is not None:
            self.space.give_back(self.size)
            self.space = None


async def save_upload(file: UploadFile, limit: int,
                      space: TempSpace | None = None) -> SavedUpload:
    """Stream an upload into a private temporary file, taking its bytes from `space` as they
    arrive (refused past it). The caller discards it (`SavedUpload.discard`)."""
    suffix = Path(clean_filename(file.filename)).suffix.lower()
    fd, name = tempfile.mkstemp(prefix="faceproof-",
                                suffix=suffix if suffix in VIDEO_SUFFIXES else ".bin")
    saved = SavedUpload(Path(name), 0, "", space)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as handle:
            async for chunk in _chunks(file, limit):
                if space is not None:
                    space.take(len(chunk))
                saved.size += len(chunk)
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        saved.discard()
        raise
    saved.sha256 = digest.hexdigest()
    return saved


def analyse_image(predictor: Predictor, history: HistoryStore, settings: Settings, data: bytes,
                  filename: str, *, models: list[str] | None, tta: bool, explain: bool,
                  batch_id: str | None = None, whole_image: bool = False,
                  stability: bool = False) -> PredictionResponse:
    image = decode_image(data, max_pixels=settings.MAX_IMAGE_PIXELS)
    # beside the verdict, never an input to it
    provenance = read_provenance(data, "image", trust_anchors=settings.trust_anchors())
    result = predictor.predict_image(image, models=models, tta=tta, explain=explain,
                                     whole_image=whole_image, stability=stability)
    analysis_id = str(uuid.uuid4())
    rule = predictor.rule(result.models_used)
    response = image_response(result, analysis_id=analysis_id, filename=filename, rule=rule,
                              provenance=provenance)
    top = max(result.faces, key=lambda f: f.fake_probability, default=None)
    record(history, settings, analysis_id, data=data, kind="image", filename=filename,
           size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
           prediction=result.verdict.value, confidence=result.confidence,
           fake_probability=result.fake_probability, models=result.models_used,
           model_scores=top.model_probabilities if top else {},
           faces=face_summaries(result),
           details={"face_detected": result.face_detected, "tta": tta,
                    "width": result.width, "height": result.height, "reason": result.reason,
                    "whole_image": whole_image, "provenance": provenance.to_dict(),
                    "stability": response.stability and response.stability.model_dump(),
                    "decision": decision(rule).model_dump(),  # the rule that decided
                    **report_details(predictor, settings, response, tta=tta, explain=explain,
                                      whole_image=whole_image, stability=stability)},
           duration_ms=result.processing_time_ms, batch_id=batch_id)
    return response


def analyse_video(predictor: Predictor, history: HistoryStore, settings: Settings, path: Path,
                  filename: str, size: int, sha256: str, *, frames: int,
                  models: list[str] | None, tta: bool, whole_image: bool = False,
                  stability: bool = False, progress: Progress | None = None) -> VideoResponse:
    try:
        result = analyze_video(predictor, path, num_frames=frames, models=models, tta=tta,
                               max_duration_s=settings.MAX_VIDEO_SECONDS,
                               max_frame_pixels=settings.MAX_VIDEO_FRAME_PIXELS,
                               max_total_pixels=settings.MAX_VIDEO_TOTAL_PIXELS,
                               whole_frames=whole_image, stability=stability, progress=progress)
    except VideoError as exc:
        # the core names the file it read, our private temporary copy: name the user's file
        message = str(exc).replace(str(path), filename).replace(path.name, filename)
        raise type(exc)(message) from exc
    release_free_memory()  # the decoded frames (200 MB for 32 at 1080p) are garbage now
    analysis_id = str(uuid.uuid4())
    rule = predictor.rule(result.models_used)
    # beside the verdict, never an input to it
    provenance = read_provenance(path, "video", trust_anchors=settings.trust_anchors())
    response = video_response(result, analysis_id=analysis_id, filename=filename, rule=rule,
                              provenance=provenance)
    record(history, settings, analysis_id, path=path, kind="video", filename=filename,
           size_bytes=size, sha256=sha256, prediction=result.verdict.value,
           confidence=result.confidence, fake_probability=result.fake_probability,
           models=result.models_used, model_scores={}, faces=[],
           details={"frames_analyzed": result.frames_analyzed,
                    "frames_with_faces": result.frames_with_faces,
                    "fake_percentage": result.fake_percentage,
                    "face_detected": result.face_detected, "reason": result.reason,
                    "downscaled": result.extras.get("downscaled"),
                    "timeline": [{"time_s": t.time_s, "p": t.fake_probability}
                                 for t in result.timeline],
                    "provenance": provenance.to_dict(),
                    "stability": response.stability and response.stability.model_dump(),
                    "decision": decision(rule).model_dump(),  # the rule that decided
                    **report_details(predictor, settings, response, tta=tta, frames=frames,
                                      whole_image=whole_image, stability=stability)},
           duration_ms=result.processing_time_ms)
    return response


def record(history: HistoryStore, settings: Settings, analysis_id: str, *,
           data: bytes | None = None, path: Path | None = None, **fields) -> None:
    """Keep the upload (when KEEP_UPLOADS), then record the analysis: when either fails,
    neither stays (a kept file whose record failed is removed), so an error answer never
    leaves an analysis behind and a retry never duplicates one. HISTORY_ENABLED=false:
    neither is kept."""
    if not settings.HISTORY_ENABLED:
        return
    kept = keep_upload(settings, analysis_id, data=data, path=path)
    try:
        history.add(id=analysis_id, **fields)
    except BaseException:
        if kept is not None:
            kept.unlink(missing_ok=True)
        raise
