"""Uploads: their display names, read whole (a photo) or streamed into a private temporary
file (a video), refused past their limit or when empty."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fastapi import UploadFile

from backend.core.errors import APIError
from backend.services.kept_uploads import VIDEO_SUFFIXES
from backend.services.temp_space import TempSpace

CHUNK = 1024 * 1024


def clean_filename(name: str | None) -> str:
    """A display name only: never used as a path. Last path part, no control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C"
    )
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
            raise APIError(
                413,
                "file_too_large",
                f"{clean_filename(file.filename)} is larger than the limit of {limit:,} bytes",
            )
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


async def save_upload(file: UploadFile, limit: int, space: TempSpace | None = None) -> SavedUpload:
    """Stream an upload into a private temporary file, taking its bytes from `space` as they
    arrive (refused past it). The caller discards it (`SavedUpload.discard`)."""
    suffix = Path(clean_filename(file.filename)).suffix.lower()
    fd, name = tempfile.mkstemp(
        prefix="faceproof-", suffix=suffix if suffix in VIDEO_SUFFIXES else ".bin"
    )
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
