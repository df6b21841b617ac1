"""`read_provenance`: Content Credentials, metadata and findings of one image or video."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from faceproof.provenance.c2pa_manifest import read_content_credentials
from faceproof.provenance.findings import metadata_findings
from faceproof.provenance.image_metadata import read_image_metadata
from faceproof.provenance.report import ContentCredentials, Finding, MediaMetadata, Provenance
from faceproof.provenance.video_metadata import read_video_metadata

log = logging.getLogger("faceproof.provenance")


def read_provenance(
    source: bytes | str | Path,
    media_kind: Literal["image", "video"],
    *,
    trust_anchors: str | None = None,
) -> Provenance:
    """What `source` (the file's bytes, or its path) says about its own origin; Content
    Credentials' signers are checked against `trust_anchors` (PEM certificates) when given.

    Never raises on what the file holds: anything that cannot be read becomes a finding that
    says so. The result is reported beside a verdict and never changes it.
    """
    if isinstance(source, str):
        source = Path(source)
    try:
        credentials, findings = read_content_credentials(source, trust_anchors)
    except Exception:  # read_content_credentials catches the reader's; this is a last guard
        log.exception("Content Credentials check failed")
        credentials, findings = (
            ContentCredentials(status="unreadable"),
            [
                Finding(
                    "credentials_unreadable", "notice", "Content Credentials could not be checked."
                )
            ],
        )
    try:
        if media_kind == "video":
            meta, problems = read_video_metadata(source)
        else:
            data = source if isinstance(source, bytes) else Path(source).read_bytes()
            meta, problems = read_image_metadata(data)
        found = metadata_findings(meta, media_kind)
        if problems:  # a block that could not be read is not "no metadata"
            found = [f for f in found if f.code != "no_metadata"]
        findings += problems + found
    except Exception:
        log.exception("metadata summary failed")
        meta = MediaMetadata()
        findings.append(
            Finding("metadata_unreadable", "notice", "The file's metadata could not be read.")
        )
    return Provenance(
        media_kind=media_kind, content_credentials=credentials, metadata=meta, findings=findings
    )
