"""Findings drawn from a metadata summary: facts in plain words, and what deserves a look."""

from __future__ import annotations

import re
from datetime import datetime

from faceproof.provenance.generators import (
    GENERATOR_TEXT_KEYS,
    describe_source_type,
    names_ai_generator,
)
from faceproof.provenance.report import Finding, MediaMetadata

LONG_AFTER_DAYS = 30
"""A modification this many days after the capture is worth a look (an export a few days
later is ordinary; one a year later is a re-edit)."""


def metadata_findings(meta: MediaMetadata, media_kind: str) -> list[Finding]:
    """One line per fact or inconsistency of `meta`."""
    findings: list[Finding] = []
    if not meta.sources:
        what = (
            "no container tags"
            if media_kind == "video"
            else "no camera metadata (EXIF, XMP or IPTC)"
        )
        findings.append(
            Finding(
                "no_metadata",
                "info",
                f"The file has {what}; messaging apps and social networks strip it, so this "
                "proves nothing.",
            )
        )
    if meta.digital_source_type:
        words, by_ai = describe_source_type(meta.digital_source_type)
        findings.append(
            Finding(
                "metadata_ai_generated" if by_ai else "metadata_source_type",
                "warning" if by_ai else "info",
                f"The file's metadata says it was {words} ({meta.digital_source_type}); "
                "unsigned metadata can be written by anyone.",
            )
        )
    for key in meta.generator_keys:
        tool = GENERATOR_TEXT_KEYS.get(key.lower(), "an image generator")
        findings.append(
            Finding(
                "generator_record",
                "warning",
                f"The PNG carries a generation record (“{key}”), as {tool} writes.",
            )
        )
    camera = " ".join(p for p in (meta.camera_make, meta.camera_model) if p)
    if camera:
        findings.append(Finding("camera", "info", f"Camera: {camera}."))
    if meta.software:
        generator = names_ai_generator(meta.software)
        if generator:
            findings.append(
                Finding(
                    "ai_software",
                    "warning",
                    f"The software field names an AI generator ({generator}): “{meta.software}”.",
                )
            )
        else:
            findings.append(Finding("software", "info", f"Saved by: {meta.software}."))
    if meta.encoder:
        generator = names_ai_generator(meta.encoder)
        if generator:
            findings.append(
                Finding(
                    "ai_software",
                    "warning",
                    f"The encoder tag names an AI generator ({generator}): “{meta.encoder}”.",
                )
            )
        else:
            what = " (FFmpeg, which most converters use)" if meta.encoder.startswith("Lavf") else ""
            findings.append(Finding("encoder", "info", f"Encoded by: {meta.encoder}{what}."))
    if meta.captured_at:
        findings.append(Finding("captured_at", "info", f"Taken: {meta.captured_at}."))
    if meta.created_at:
        findings.append(Finding("created_at", "info", f"Container created: {meta.created_at}."))
    findings += date_findings(meta)
    if meta.gps_present:
        findings.append(
            Finding("gps_present", "info", "A GPS location is recorded (not shown here).")
        )
    return findings


def date_findings(meta: MediaMetadata) -> list[Finding]:
    """Modification long after capture, or before it."""
    captured, modified = parse_date(meta.captured_at), parse_date(meta.modified_at)
    if captured is None or modified is None:
        if meta.modified_at:
            return [Finding("modified_at", "info", f"Last modified: {meta.modified_at}.")]
        return []
    days = (modified - captured).total_seconds() / 86400
    if days > LONG_AFTER_DAYS:
        return [
            Finding(
                "modified_long_after_capture",
                "notice",
                f"Modified {days:.0f} days after it was taken ({meta.modified_at}): "
                "it was edited or re-saved later.",
            )
        ]
    if days < -1:  # a day of slack for time zones
        return [
            Finding(
                "modified_before_capture",
                "notice",
                f"The modification date ({meta.modified_at}) is earlier than the "
                f"capture date ({meta.captured_at}): the dates were edited, or the "
                "clock was wrong.",
            )
        ]
    return [Finding("modified_at", "info", f"Last modified: {meta.modified_at}.")]


def parse_date(text: str | None) -> datetime | None:
    """A naive datetime from an ISO-like date (its time zone dropped); None if it is not one."""
    if not text:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?", text)
    if not m:
        return None
    try:
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in m.groups())
        return datetime(year, month, day, hour, minute, second)
    except ValueError:  # 0000-00-00 and other impossible dates
        return None
