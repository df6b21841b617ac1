"""One analysis = read the upload, run the core, record it in the history, build the answer.

The functions named `analyse_*` are synchronous and run on worker threads, off the event
loop; reading uploads is async.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import shutil
import tempfile
import unicodedata
import uuid
from pathlib import Path

from fastapi import UploadFile
from PIL import Image

from backend.errors import APIError
from backend.history import HistoryStore
from backend.memory import release_free_memory
from backend.presenters import face_summaries, image_response, video_response
from backend.schemas import PredictionResponse, VideoResponse
from backend.settings import Settings
from faceproof.decode import SUPPORTED_FORMATS, decode_image
from faceproof.predictor import Predictor
from faceproof.video_analysis import Progress, analyze_video

log = logging.getLogger("backend.analyses")
CHUNK = 1024 * 1024
VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".3gp"}
IMAGE_SUFFIXES = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp", "BMP": ".bmp",
                  "GIF": ".gif", "TIFF": ".tif", "AVIF": ".avif", "PPM": ".ppm", "TGA": ".tga",
                  "ICO": ".ico"}
KEPT_SUFFIXES = frozenset(IMAGE_SUFFIXES.values()) | VIDEO_SUFFIXES | {".bin"}
"""Every suffix a kept upload may have: none comes from the client's file name."""


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


async def save_upload(file: UploadFile, limit: int) -> tuple[Path, int, str]:
    """Stream an upload into a private temporary file: (path, size, sha256). The caller
    deletes the file (see `remove_quietly`)."""
    suffix = Path(clean_filename(file.filename)).suffix.lower()
    fd, name = tempfile.mkstemp(prefix="faceproof-",
                                suffix=suffix if suffix in VIDEO_SUFFIXES else ".bin")
    path, size, digest = Path(name), 0, hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as handle:
            async for chunk in _chunks(file, limit):
                size += len(chunk)
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        remove_quietly(path)
        raise
    return path, size, digest.hexdigest()


def remove_quietly(path: Path) -> None:
    path.unlink(missing_ok=True)


def keep_upload(settings: Settings, analysis_id: str, *, data: bytes | None = None,
                path: Path | None = None) -> None:
    """Copy the uploaded media to UPLOADS_DIR when KEEP_UPLOADS is set, named by the analysis
    id and a suffix from the content (images) or the allow-list (videos), never the client's
    file name."""
    if not settings.KEEP_UPLOADS:
        return
    settings.UPLOADS_DIR.mkdir(parents=True, exist_ok=True)
    if data is not None:
        (settings.UPLOADS_DIR / f"{analysis_id}{image_suffix(data)}").write_bytes(data)
    elif path is not None:
        suffix = path.suffix if path.suffix in VIDEO_SUFFIXES else ".bin"
        shutil.copyfile(path, settings.UPLOADS_DIR / f"{analysis_id}{suffix}")


def image_suffix(data: bytes) -> str:
    """The usual suffix of the image format the bytes are in (".bin" when unknown)."""
    try:
        with Image.open(io.BytesIO(data), formats=SUPPORTED_FORMATS) as image:
            return IMAGE_SUFFIXES.get(image.format or "", ".bin")
    except (OSError, ValueError, SyntaxError):
        return ".bin"


def analyse_image(predictor: Predictor, history: HistoryStore, settings: Settings, data: bytes,
                  filename: str, *, models: list[str] | None, tta: bool, explain: bool,
                  batch_id: str | None = None) -> PredictionResponse:
    image = decode_image(data, max_pixels=settings.MAX_IMAGE_PIXELS)
    result = predictor.predict_image(image, models=models, tta=tta, explain=explain)
    analysis_id = str(uuid.uuid4())
    rule = predictor.rule(result.models_used)
    response = image_response(result, analysis_id=analysis_id, filename=filename, rule=rule)
    top = max(result.faces, key=lambda f: f.fake_probability)
    history.add(id=analysis_id, kind="image", filename=filename, size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(), prediction=result.verdict.value,
                confidence=result.confidence, fake_probability=result.fake_probability,
                models=result.models_used, model_scores=top.model_probabilities,
                faces=face_summaries(result),
                details={"face_detected": result.face_detected, "tta": tta,
                         "width": result.width, "height": result.height,
                         "reason": result.reason},
                duration_ms=result.processing_time_ms, batch_id=batch_id)
    keep_upload(settings, analysis_id, data=data)
    return response


def analyse_video(predictor: Predictor, history: HistoryStore, settings: Settings, path: Path,
                  filename: str, size: int, sha256: str, *, frames: int,
                  models: list[str] | None, tta: bool,
                  progress: Progress | None = None) -> VideoResponse:
    result = analyze_video(predictor, path, num_frames=frames, models=models, tta=tta,
                           max_duration_s=settings.MAX_VIDEO_SECONDS, progress=progress)
    release_free_memory()  # the decoded frames (200 MB for 32 at 1080p) are garbage now
    analysis_id = str(uuid.uuid4())
    rule = predictor.rule(result.models_used)
    response = video_response(result, analysis_id=analysis_id, filename=filename, rule=rule)
    history.add(id=analysis_id, kind="video", filename=filename, size_bytes=size, sha256=sha256,
                prediction=result.verdict.value, confidence=result.confidence,
                fake_probability=result.fake_probability, models=result.models_used,
                model_scores={}, faces=[],
                details={"frames_analyzed": result.frames_analyzed,
                         "frames_with_faces": result.frames_with_faces,
                         "fake_percentage": result.fake_percentage,
                         "face_detected": result.face_detected, "reason": result.reason,
                         "timeline": [{"time_s": t.time_s, "p": t.fake_probability}
                                      for t in result.timeline]},
                duration_ms=result.processing_time_ms)
    keep_upload(settings, analysis_id, path=path)
    return response
