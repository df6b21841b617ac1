"""Provenance of a file: its Content Credentials (C2PA) and its metadata (EXIF, XMP, IPTC;
a video container's tags), with findings in plain words.

Reported beside the model's verdict, never mixed into it: a file without credentials is the
common case and proves nothing, and metadata can be stripped or forged.
"""

from faceproof.provenance.reader import read_provenance
from faceproof.provenance.report import (
    VERDICT_NOTE,
    ContentCredentials,
    Finding,
    MediaMetadata,
    Provenance,
)

__all__ = [
    "VERDICT_NOTE",
    "ContentCredentials",
    "Finding",
    "MediaMetadata",
    "Provenance",
    "read_provenance",
]
