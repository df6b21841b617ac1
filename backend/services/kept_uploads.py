"""Uploaded media kept beside the history (setting KEEP_UPLOADS): written, found, deleted.

A kept file is named by its analysis id and a suffix from the content (images) or the
allow-list (videos), never from the client's file name. It is written before the analysis is
recorded and removed again if recording fails, so a failure leaves neither; deleting the
analysis deletes its file.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from PIL import Image

from backend.core.errors import APIError
from backend.core.settings import Settings
from faceproof.decode import SUPPORTED_FORMATS

log = logging.getLogger("backend.kept_uploads")
STORAGE_RETRY_AFTER_S = 60
ANALYSIS_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".3gp"}
IMAGE_SUFFIXES = {
    "JPEG": ".jpg",
    "MPO": ".jpg",
    "PNG": ".png",
    "WEBP": ".webp",
    "BMP": ".bmp",
    "GIF": ".gif",
    "TIFF": ".tif",
    "AVIF": ".avif",
    "PPM": ".ppm",
    "TGA": ".tga",
    "ICO": ".ico",
}
KEPT_SUFFIXES = frozenset(IMAGE_SUFFIXES.values()) | VIDEO_SUFFIXES | {".bin"}
"""Every suffix a kept upload may have."""


def keep_upload(
    settings: Settings, analysis_id: str, *, data: bytes | None = None, path: Path | None = None
) -> Path | None:
    """Write the upload to UPLOADS_DIR when KEEP_UPLOADS is set; returns where (None when
    uploads are not kept). The file appears whole or not at all (written beside, renamed);
    a full or read-only disk is a 503 `storage_unavailable` and leaves nothing behind. The
    upload is `data` (a photo's bytes) or `path` (a video's file), one of the two."""
    if (data is None) == (path is None):
        raise ValueError("keep_upload takes the upload's bytes or its path, one of the two")
    if not settings.KEEP_UPLOADS:
        return None
    if data is not None:
        suffix = image_suffix(data)
    else:
        suffix = path.suffix if path is not None and path.suffix in VIDEO_SUFFIXES else ".bin"
    target = settings.UPLOADS_DIR / f"{analysis_id}{suffix}"
    partial: Path | None = None
    try:
        settings.UPLOADS_DIR.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=settings.UPLOADS_DIR, prefix=".partial-")
        partial = Path(name)
        with os.fdopen(fd, "wb") as handle:
            if data is not None:
                handle.write(data)
            elif path is not None:
                with open(path, "rb") as source:
                    shutil.copyfileobj(source, handle)
        os.replace(partial, target)
    except OSError as exc:
        if partial is not None:
            partial.unlink(missing_ok=True)
        log.error("could not keep the upload of %s: %s", analysis_id, exc)
        raise APIError.retry_later(
            "storage_unavailable",
            f"the upload could not be stored ({exc.strerror or exc}); "
            "nothing was recorded, try again later",
            STORAGE_RETRY_AFTER_S,
        ) from exc
    return target


def kept_files(settings: Settings, analysis_id: str) -> list[Path]:
    """The kept upload(s) of one analysis (none when uploads are not kept)."""
    folder = settings.UPLOADS_DIR
    if not ANALYSIS_ID.fullmatch(analysis_id) or not folder.is_dir():
        return []  # ids are UUIDs: nothing else names a file here
    return [
        folder / f"{analysis_id}{suffix}"
        for suffix in sorted(KEPT_SUFFIXES)
        if (folder / f"{analysis_id}{suffix}").is_file()
    ]


def delete_kept(settings: Settings, analysis_id: str) -> int:
    """Delete an analysis's kept upload; returns how many files went."""
    removed = 0
    for path in kept_files(settings, analysis_id):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def image_suffix(data: bytes) -> str:
    """The usual suffix of the image format the bytes are in (".bin" when unknown)."""
    try:
        with Image.open(io.BytesIO(data), formats=SUPPORTED_FORMATS) as image:
            return IMAGE_SUFFIXES.get(image.format or "", ".bin")
    except (OSError, ValueError, SyntaxError):
        return ".bin"
