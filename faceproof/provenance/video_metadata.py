"""A video container's own tags (encoder, creation time, camera), read with PyAV.

Only the container's header is read; no frame is decoded here.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from faceproof.provenance.report import Finding, MediaMetadata
from faceproof.provenance.safe_text import safe_text

log = logging.getLogger("faceproof.provenance")

_CAMERA_KEYS = {
    "camera_make": ("com.apple.quicktime.make", "make", "manufacturer"),
    "camera_model": ("com.apple.quicktime.model", "model", "com.android.model"),
    "software": ("com.apple.quicktime.software", "software", "com.android.version"),
}
_LOCATION_KEYS = ("location", "com.apple.quicktime.location.ISO6709", "location-eng")


def read_video_metadata(source: bytes | Path) -> tuple[MediaMetadata, list[Finding]]:
    """The container's metadata summary, and a finding when it could not be read. Never
    raises."""
    meta = MediaMetadata()
    try:
        import av  # PyAV: the container's tags, which OpenCV does not expose

        target = io.BytesIO(source) if isinstance(source, bytes | bytearray) else str(source)
        with av.open(target, metadata_errors="replace") as container:
            tags = {str(k).lower(): v for k, v in dict(container.metadata).items()}
            for stream in container.streams.video[:1]:
                for k, v in dict(stream.metadata).items():
                    tags.setdefault(str(k).lower(), v)
    except Exception as exc:
        log.info("video metadata unreadable: %s", exc)
        return meta, [
            Finding(
                "metadata_unreadable", "notice", "The video container's metadata could not be read."
            )
        ]
    if tags:
        meta.sources.append("container")
    meta.encoder = safe_text(
        tags.get("encoder") or tags.get("encoded_by") or tags.get("writing_application")
    )
    meta.created_at = safe_text(tags.get("creation_time") or tags.get("date"), 40)
    for attr, keys in _CAMERA_KEYS.items():
        for key in keys:
            if tags.get(key.lower()):
                setattr(meta, attr, safe_text(tags[key.lower()]))
                break
    captured = tags.get("com.apple.quicktime.creationdate")
    meta.captured_at = safe_text(captured, 40) if captured else None
    meta.gps_present = any(tags.get(k.lower()) for k in _LOCATION_KEYS)
    return meta, []
