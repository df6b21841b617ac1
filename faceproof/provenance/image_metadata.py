"""EXIF, XMP and IPTC of an image, summarised with Pillow (no pixels are decoded).

Every block is read on its own: a broken one is reported as unreadable and the others are
still read.
"""

from __future__ import annotations

import io
import re
import warnings

from PIL import ExifTags, Image, ImageFile, IptcImagePlugin

from faceproof.provenance.generators import GENERATOR_TEXT_KEYS, source_type_code
from faceproof.provenance.report import Finding, MediaMetadata
from faceproof.provenance.safe_text import safe_text

MAX_XMP = 1 << 20  # XMP past 1 MiB is not looked into (a real packet is a few KiB)

_BASE = ExifTags.Base
_XMP_FIELDS = {
    # attribute or element name -> MediaMetadata field
    "tiff:Make": "camera_make",
    "tiff:Model": "camera_model",
    "xmp:CreatorTool": "software",
    "exif:DateTimeOriginal": "captured_at",
    "photoshop:DateCreated": "captured_at",
    "xmp:CreateDate": "captured_at",
    "xmp:ModifyDate": "modified_at",
    "Iptc4xmpExt:DigitalSourceType": "digital_source_type",
}


def read_image_metadata(data: bytes) -> tuple[MediaMetadata, list[Finding]]:
    """The metadata summary of an encoded image, and findings for blocks that could not be
    read. Never raises."""
    meta = MediaMetadata()
    problems: list[Finding] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning, truncated-EXIF notes
            image = Image.open(io.BytesIO(data))
    except Exception:
        return meta, [_unreadable("the file's metadata")]
    with image, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, read in (
            ("EXIF", _read_exif),
            ("XMP", _read_xmp),
            ("IPTC", _read_iptc),
            ("PNG text", _read_png_text),
        ):
            try:
                if read(image, meta):
                    meta.sources.append(name)
            except Exception:
                problems.append(_unreadable(f"the {name} block"))
    return meta, problems


def _unreadable(what: str) -> Finding:
    return Finding(
        "metadata_unreadable",
        "notice",
        f"{what[0].upper()}{what[1:]} could not be read (damaged or malformed); the rest was read.",
    )


def _read_exif(image: ImageFile.ImageFile, meta: MediaMetadata) -> bool:
    exif = image.getexif()
    if not exif:
        if image.info.get("exif"):  # a block is there, but Pillow made nothing of it
            raise ValueError("EXIF block unreadable")
        return False
    meta.camera_make = safe_text(exif.get(_BASE.Make))
    meta.camera_model = safe_text(exif.get(_BASE.Model))
    meta.software = safe_text(exif.get(_BASE.Software))
    meta.modified_at = exif_date(exif.get(_BASE.DateTime))
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    meta.captured_at = exif_date(
        sub.get(_BASE.DateTimeOriginal) or sub.get(_BASE.DateTimeDigitized)
    )
    meta.gps_present = bool(exif.get_ifd(ExifTags.IFD.GPSInfo))
    return True


def exif_date(value) -> str | None:
    """`2024-05-01T10:02:03` from EXIF's `2024:05:01 10:02:03`; other text as it is."""
    text = safe_text(value, 40)
    if not text:
        return None
    m = re.fullmatch(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}:\d{2}:\d{2})", text)
    return f"{m[1]}-{m[2]}-{m[3]}T{m[4]}" if m else text


def _read_xmp(image: ImageFile.ImageFile, meta: MediaMetadata) -> bool:
    raw = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if raw is None and hasattr(image, "tag_v2"):  # TIFF keeps it in tag 700
        raw = image.tag_v2.get(700)
    if not raw:
        return False
    text = (
        raw[:MAX_XMP].decode("utf-8", "replace")
        if isinstance(raw, bytes | bytearray)
        else str(raw)[:MAX_XMP]
    )
    for name, attr in _XMP_FIELDS.items():
        value = _xmp_value(text, name)
        if value and not getattr(meta, attr):
            if attr == "digital_source_type":
                value = source_type_code(value)
            setattr(meta, attr, safe_text(value, 80))
    if re.search(r"exif:GPSLatitude", text):
        meta.gps_present = True
    return True


def _xmp_value(xmp: str, name: str) -> str | None:
    """A simple XMP property, written as an attribute or as an element (a regular expression,
    not an XML parser: an upload's XML never reaches a parser with entity expansion)."""
    name = re.escape(name)
    m = (
        re.search(name + r'\s*=\s*"([^"]{0,2000})"', xmp)
        or re.search(name + r"\s*=\s*'([^']{0,2000})'", xmp)
        or re.search(
            r"<" + name + r"(?:\s[^>]{0,500})?>\s*(?:<rdf:\w+>\s*<rdf:li[^>]{0,200}>)?"
            r"([^<]{0,2000})<",
            xmp,
        )
    )
    return m[1].strip() if m and m[1].strip() else None


def _read_iptc(image: ImageFile.ImageFile, meta: MediaMetadata) -> bool:
    if image.format not in ("JPEG", "MPO", "TIFF"):
        return False
    info = IptcImagePlugin.getiptcinfo(image)
    if not info:
        return False
    program = info.get((2, 65))  # Originating Program
    if program and not meta.software:
        meta.software = safe_text(_first(program))
    date = info.get((2, 55))  # Date Created, CCYYMMDD
    if date and not meta.captured_at:
        text = safe_text(_first(date), 20) or ""
        meta.captured_at = (
            f"{text[:4]}-{text[4:6]}-{text[6:8]}" if re.fullmatch(r"\d{8}", text) else text or None
        )
    return True


def _first(value):
    return value[0] if isinstance(value, list) and value else value


def _read_png_text(image: ImageFile.ImageFile, meta: MediaMetadata) -> bool:
    if image.format != "PNG":
        return False
    # the text chunks before the image data (where generators put theirs): `image.text`
    # would decode the pixels to reach the ones after it
    text = {k: v for k, v in image.info.items() if isinstance(v, str)}
    keys = [k for k in text if str(k).lower() in GENERATOR_TEXT_KEYS]
    meta.generator_keys = [t for t in (safe_text(k, 40) for k in keys) if t][:5]
    if text.get("Software") and not meta.software:
        meta.software = safe_text(text["Software"])
    return bool(text)
