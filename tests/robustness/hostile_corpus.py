"""A generated corpus of hostile uploads: broken, misnamed, huge, odd and malicious files.

`hostile_corpus(face_rgb, tmp)` builds every case in a second or two from one face photo (any
RGB array); `python -m tests.robustness.hostile_corpus OUT_DIR` writes them as files with
an index, for trying against a running service by hand. The service must answer each with a
2xx or a 4xx carrying a stable `code`; `Hostile.expect`, when set, narrows which.

Outcomes are named "ok" (2xx) or by the error code.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from PIL import Image, PngImagePlugin

OK = "ok"
UNDECODABLE = "undecodable_image"
TOO_LARGE = "image_too_large"
UNREADABLE = "unreadable_video"
EMPTY = "empty_file"

# Every error code a hostile upload may get: the service's documented codes for bad input.
STABLE_CODES = frozenset(
    {
        EMPTY,
        "file_too_large",
        TOO_LARGE,
        UNDECODABLE,
        UNREADABLE,
        "invalid_request",
        "unknown_model",
        "too_many_files",
        "too_many_frames",
    }
)


@dataclass(frozen=True)
class Hostile:
    """One hostile upload.

    Attributes:
        name: What the case is, unique in the corpus.
        filename: The name sent in the multipart header (may hold `../`, NUL, unicode).
        data: The file's bytes.
        kind: The endpoint it goes to: `image` (/api/predict) or `video` (/api/predict/video).
        expect: The outcomes allowed ("ok" or error codes); None: any 2xx or stable 4xx.
    """

    name: str
    filename: str
    data: bytes
    kind: Literal["image", "video"] = "image"
    expect: frozenset[str] | None = None


def _set(*outcomes: str) -> frozenset[str]:
    return frozenset(outcomes)


# --------------------------------------------------------------------------- encoders
def _pil(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_claiming(width: int, height: int, rows: int = 4) -> bytes:
    """A small valid-looking PNG whose header claims width x height RGB pixels (a
    decompression bomb: a few zero rows compress to almost nothing)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * min((1 + 3 * width) * rows, 1 << 20), 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", body)
        + _png_chunk(b"IEND", b"")
    )


def png_zero_bomb(side: int) -> bytes:
    """A genuine side x side greyscale PNG of zeros: every row is there, compressed ~1000:1."""
    raw = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    body = b"".join(raw.compress(row) for _ in range(side)) + raw.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", body)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_claiming(jpeg: bytes, width: int, height: int) -> bytes:
    """The JPEG with its frame header (SOF0/SOF2) patched to claim width x height."""
    data = bytearray(jpeg)
    i = 2
    while i < len(data) - 9:
        if data[i] != 0xFF:
            raise ValueError("not a marker")
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            data[i + 5 : i + 9] = struct.pack(">HH", height, width)
            return bytes(data)
        i += 2 + length
    raise ValueError("no frame header")


def gif_claiming(width: int, height: int) -> bytes:
    """A GIF whose logical screen is width x height around a 1x1 image."""
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return b"GIF89a" + screen + image + b"\x3b"


def bmp_claiming(width: int, height: int) -> bytes:
    """A 24-bit BMP header claiming width x height with almost no pixel data."""
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    pixels = b"\x00" * 64
    header = b"BM" + struct.pack("<IHHI", 14 + len(info) + len(pixels), 0, 0, 14 + len(info))
    return header + info + pixels


def _exif(orientation: int | None = None, padding: int = 0) -> bytes:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if padding:
        exif[0x010E] = "x" * padding  # ImageDescription
    return exif.tobytes()


def _avi_without_frames(tmp: Path) -> bytes:
    path = tmp / "no-frames.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5.0, (64, 64))
    writer.release()
    return path.read_bytes() if path.exists() else b""


def _video(
    tmp: Path, name: str, fourcc: str, frames: Iterable[np.ndarray], fps: float = 5.0
) -> bytes:
    frames = list(frames)
    height, width = frames[0].shape[:2]
    path = tmp / name
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {fourcc} here")
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path.read_bytes()


def avi_at_rate(avi: bytes, *, scale: int, rate: int) -> bytes:
    """The AVI with its video stream's frame rate rewritten to rate/scale frames a second (so
    three frames may claim to last hours)."""
    data = bytearray(avi)
    strh = data.index(b"strh") + 8  # past the chunk id and size
    data[strh + 20 : strh + 28] = struct.pack("<II", scale, rate)  # dwScale, dwRate
    avih = data.index(b"avih") + 8
    data[avih : avih + 4] = struct.pack("<I", min(1_000_000 * scale // rate, 2**32 - 1))  # µs/frame
    return bytes(data)


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _tar(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


# ----------------------------------------------------------------------------- corpus
def hostile_corpus(face_rgb: np.ndarray, tmp: Path) -> list[Hostile]:
    """Every hostile case, built from `face_rgb` (an RGB uint8 photo with a face, ~256 px).

    Args:
        face_rgb: The photo that valid cases are made of.
        tmp: A scratch folder (OpenCV writes videos through files).
    """
    tmp.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    face = Image.fromarray(face_rgb)
    small = face.resize((96, 96))
    jpeg, png = _pil(face, "JPEG", quality=90), _pil(face, "PNG")
    webp, gif = _pil(face, "WEBP", quality=80), _pil(face.convert("P"), "GIF")
    bmp, tiff = _pil(small, "BMP"), _pil(small, "TIFF")
    cases: list[Hostile] = []

    def add(
        name: str,
        data: bytes,
        filename: str | None = None,
        *,
        kind: str = "image",
        expect: frozenset[str] | None = None,
    ) -> None:
        cases.append(Hostile(name, filename or f"{name}.jpg", data, kind, expect))  # type: ignore[arg-type]

    # empty and tiny
    add("empty", b"", expect=_set(EMPTY))
    for byte in (b"\x00", b"\xff", b"a", b"\n", b"\x89", b"<"):
        add(f"one-byte-{byte.hex()}", byte, expect=_set(UNDECODABLE))
    for magic, ext in (
        (b"\xff\xd8", "jpg"),
        (b"\xff\xd8\xff\xe0", "jpg"),
        (b"BM", "bmp"),
        (b"GIF89a", "gif"),
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"RIFF", "webp"),
        (b"II*\x00", "tif"),
        (b"\x00\x00\x01\x00", "ico"),
    ):
        add(f"magic-only-{ext}-{len(magic)}", magic, f"x.{ext}", expect=_set(UNDECODABLE))

    # truncated at many points
    for label, data, ext in (
        ("jpeg", jpeg, "jpg"),
        ("png", png, "png"),
        ("webp", webp, "webp"),
        ("gif", gif, "gif"),
        ("bmp", bmp, "bmp"),
        ("tiff", tiff, "tif"),
    ):
        for keep in (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99):
            cut = max(1, int(len(data) * keep))
            add(f"truncated-{label}-{keep}", data[:cut], f"cut.{ext}", expect=_set(UNDECODABLE, OK))
    add("jpeg-without-eoi", jpeg[:-2], expect=_set(UNDECODABLE, OK))

    # corrupted inside
    for offset in (0.3, 0.6, 0.9):
        damaged = bytearray(jpeg)
        start = int(len(damaged) * offset)
        damaged[start : start + 64] = rng.integers(0, 256, 64, dtype=np.uint8).tobytes()
        add(f"jpeg-scan-garbage-{offset}", bytes(damaged), expect=_set(UNDECODABLE, OK))
    bad_crc = bytearray(png)
    bad_crc[29:33] = b"\x00\x00\x00\x00"  # the IHDR chunk's CRC
    add("png-bad-crc", bytes(bad_crc), "x.png", expect=_set(UNDECODABLE))
    idat = png.index(b"IDAT")
    bad_zlib = bytearray(png)
    bad_zlib[idat + 4 : idat + 40] = b"\xff" * 36
    add("png-bad-zlib", bytes(bad_zlib), "x.png", expect=_set(UNDECODABLE))
    sof_zero = bytearray(jpeg_claiming(jpeg, 0, 0))
    add("jpeg-zero-size", bytes(sof_zero), expect=_set(UNDECODABLE))
    add("png-zero-size", png_claiming(0, 0), "x.png", expect=_set(UNDECODABLE))
    for size in (16, 1024, 65536):
        add(
            f"random-{size}",
            rng.integers(0, 256, size, dtype=np.uint8).tobytes(),
            expect=_set(UNDECODABLE),
        )
    add("zeros-100k", b"\x00" * 100_000, expect=_set(UNDECODABLE))

    # text, markup and programs named as images
    for label, text in (
        ("text", b"hello, I am not a photo\n"),
        ("html", b"<!doctype html><html><body><script>alert(1)</script></body></html>"),
        ("svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="9"/></svg>'),
        ("json", json.dumps({"image": "aGVsbG8="}).encode()),
        (
            "xml-xxe",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<x>&e;</x>",
        ),
        ("pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
        ("eps", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n(x) print\n"),
        ("shell", b"#!/bin/sh\nrm -rf / --no-preserve-root\n"),
        ("php", b"<?php system($_GET['c']); ?>"),
        ("elf", b"\x7fELF\x02\x01\x01" + b"\x00" * 120),
        ("utf16", "photo".encode("utf-16")),
        ("csv-formula", b"=cmd|' /C calc'!A0\n"),
    ):
        add(f"{label}-as-jpg", text, "photo.jpg", expect=_set(UNDECODABLE))
        add(f"{label}-as-png", text, "photo.png", expect=_set(UNDECODABLE))

    # real images under the wrong name
    for name in (
        "photo.png",
        "photo.gif",
        "photo.mp4",
        "photo.txt",
        "photo",
        "photo.jpg.exe",
        "photo.JPG",
        ".jpg",
    ):
        add(f"jpeg-named-{name}", jpeg, name, expect=_set(OK))
    add("png-named-jpg", png, "photo.jpg", expect=_set(OK))
    add("webp-named-png", webp, "photo.png", expect=_set(OK))

    # polyglots
    archive = _zip({"evil.sh": b"#!/bin/sh\necho pwned\n"})
    add("jpeg+zip", jpeg + archive, expect=_set(OK))
    add("jpeg+html", jpeg + b"<html><script>alert(1)</script></html>", expect=_set(OK))
    add(
        "gif+jar",
        gif + _zip({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n"}),
        "x.gif",
        expect=_set(OK),
    )
    add("png+script-after-iend", png + b"<script>alert(1)</script>", "x.png", expect=_set(OK))
    add(
        "png-text-chunk-script",
        png[:33] + _png_chunk(b"tEXt", b"Comment\x00<script>x</script>") + png[33:],
        "x.png",
        expect=_set(OK),
    )
    add(
        "jpeg-comment-html",
        jpeg[:2]
        + b"\xff\xfe"
        + struct.pack(">H", 40)
        + b"<html><script>alert(1)</script></ht>"
        + jpeg[2:],
        expect=_set(OK, UNDECODABLE),
    )
    add("pdf+jpeg", b"%PDF-1.4\n" + jpeg, expect=_set(UNDECODABLE))
    add("html+jpeg", b"<html>" + jpeg, expect=_set(UNDECODABLE))
    add("zip+jpeg", archive + jpeg, expect=_set(UNDECODABLE))
    add(
        "jpeg-magic+html", b"\xff\xd8\xff\xe0<html><body>hi</body></html>", expect=_set(UNDECODABLE)
    )

    # archives
    add("zip", _zip({"photo.jpg": jpeg}), "photo.zip", expect=_set(UNDECODABLE))
    add("zip-named-jpg", _zip({"photo.jpg": jpeg}), expect=_set(UNDECODABLE))
    add("zip-of-zeros", _zip({"zeros.bin": b"\x00" * 5_000_000}), expect=_set(UNDECODABLE))
    add("gzip-jpeg", gzip.compress(jpeg), "photo.jpg.gz", expect=_set(UNDECODABLE))
    add("tar", _tar({"photo.jpg": jpeg}), "photo.tar", expect=_set(UNDECODABLE))
    add("7z-magic", b"7z\xbc\xaf\x27\x1c" + b"\x00" * 64, expect=_set(UNDECODABLE))
    add("xz-magic", b"\xfd7zXZ\x00" + b"\x00" * 64, expect=_set(UNDECODABLE))
    add("bz2-magic", b"BZh91AY&SY" + b"\x00" * 64, expect=_set(UNDECODABLE))

    # extreme sizes
    for fmt, ext in (
        ("PNG", "png"),
        ("JPEG", "jpg"),
        ("GIF", "gif"),
        ("BMP", "bmp"),
        ("WEBP", "webp"),
        ("TIFF", "tif"),
        ("PPM", "ppm"),
        ("TGA", "tga"),
    ):
        add(
            f"1x1-{ext}",
            _pil(Image.new("RGB", (1, 1), (200, 30, 30)), fmt),
            f"dot.{ext}",
            expect=_set(OK),
        )
    add("1x4000", _pil(Image.new("RGB", (1, 4000), 90), "PNG"), "line.png", expect=_set(OK))
    add("4000x1", _pil(Image.new("RGB", (4000, 1), 90), "PNG"), "line.png", expect=_set(OK))
    add("20000x20000-png", png_claiming(20_000, 20_000), "huge.png", expect=_set(TOO_LARGE))
    add("20000x20000-jpeg", jpeg_claiming(jpeg, 20_000, 20_000), "huge.jpg", expect=_set(TOO_LARGE))
    add("20000x20000-gif", gif_claiming(20_000, 20_000), "huge.gif", expect=_set(TOO_LARGE))
    add("20000x20000-bmp", bmp_claiming(20_000, 20_000), "huge.bmp", expect=_set(TOO_LARGE))
    add("65535x65535-jpeg", jpeg_claiming(jpeg, 65_535, 65_535), "huge.jpg", expect=_set(TOO_LARGE))
    add(
        "png-bomb-2^31",
        png_claiming(2**31 - 1, 2**31 - 1),
        "bomb.png",
        expect=_set(TOO_LARGE, UNDECODABLE),
    )
    add("png-bomb-30000", png_claiming(30_000, 30_000), "bomb.png", expect=_set(TOO_LARGE))
    add("png-zero-bomb-4000", png_zero_bomb(4000), "zeros.png", expect=_set(OK))
    add("bmp-negative-height", bmp_claiming(64, -64), "x.bmp", expect=_set(OK, UNDECODABLE))

    # colour modes and bit depths
    rgb = small
    modes = {
        "cmyk-jpeg": (rgb.convert("CMYK"), "JPEG", {}),
        "grey-jpeg": (rgb.convert("L"), "JPEG", {}),
        "progressive-jpeg": (rgb, "JPEG", {"progressive": True}),
        "grey-png": (rgb.convert("L"), "PNG", {}),
        "grey-alpha-png": (rgb.convert("LA"), "PNG", {}),
        "rgba-png": (rgb.convert("RGBA"), "PNG", {}),
        "palette-png": (rgb.convert("P"), "PNG", {}),
        "palette-transparent-png": (rgb.convert("P"), "PNG", {"transparency": 0}),
        "1bit-png": (rgb.convert("1"), "PNG", {}),
        "interlaced-png": (rgb, "PNG", {"interlace": 1}),
        "16bit-grey-png": (
            Image.fromarray(np.asarray(rgb.convert("L")).astype(np.uint16) * 257),
            "PNG",
            {},
        ),
        "32bit-int-tiff": (
            Image.fromarray(np.asarray(rgb.convert("L")).astype(np.int32) * 1000),
            "TIFF",
            {},
        ),
        "float-tiff": (
            Image.fromarray(np.asarray(rgb.convert("L")).astype(np.float32) / 255),
            "TIFF",
            {},
        ),
        "float-tiff-nan": (Image.fromarray(np.full((32, 32), np.nan, np.float32)), "TIFF", {}),
        "cmyk-tiff": (rgb.convert("CMYK"), "TIFF", {}),
        "rgba-tiff": (rgb.convert("RGBA"), "TIFF", {}),
        "jpeg-in-tiff": (rgb, "TIFF", {"compression": "jpeg"}),
        "rgba-webp": (rgb.convert("RGBA"), "WEBP", {"lossless": True}),
        "lossless-webp": (rgb, "WEBP", {"lossless": True}),
        "ycbcr-jpeg-subsampling-444": (rgb, "JPEG", {"subsampling": 0}),
        "grey-bmp": (rgb.convert("L"), "BMP", {}),
        "rgba-ico": (rgb.convert("RGBA"), "ICO", {}),
        "grey-tga": (rgb.convert("L"), "TGA", {}),
        "pgm": (rgb.convert("L"), "PPM", {}),
        "pbm": (rgb.convert("1"), "PPM", {}),
        "avif": (rgb, "AVIF", {}),
    }
    for label, (image, fmt, options) in modes.items():
        add(label, _pil(image, fmt, **options), f"{label}.{fmt.lower()}", expect=_set(OK))
    # 16-bit RGB, which Pillow cannot hold: OpenCV writes it, Pillow reads it as 8-bit
    ok, png48 = cv2.imencode(".png", (np.asarray(rgb)[:, :, ::-1].astype(np.uint16) * 257))
    assert ok
    add("16bit-rgb-png", png48.tobytes(), "deep.png", expect=_set(OK, UNDECODABLE))
    # formats outside the allow-list, even where Pillow could open them
    add("psd-magic", b"8BPS\x00\x01" + b"\x00" * 64, "x.psd", expect=_set(UNDECODABLE))
    add(
        "xbm",
        b"#define x_width 8\n#define x_height 1\nstatic char x_bits[] = {0x00};\n",
        "x.xbm",
        expect=_set(UNDECODABLE),
    )
    add(
        "heic-ftyp",
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
        "x.heic",
        expect=_set(UNDECODABLE),
    )

    # animations and multi-page files: the first frame is analysed
    frames = [small.rotate(angle) for angle in (0, 10, 20)]
    add(
        "animated-gif",
        _pil(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0),
        "anim.gif",
        expect=_set(OK),
    )
    add(
        "animated-gif-300-frames",
        _pil(
            frames[0].convert("P"),
            "GIF",
            save_all=True,
            append_images=[frames[0].convert("P")] * 299,
            duration=0,
        ),
        "many.gif",
        expect=_set(OK),
    )
    add(
        "apng",
        _pil(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100),
        "anim.png",
        expect=_set(OK),
    )
    add(
        "animated-webp",
        _pil(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100),
        "anim.webp",
        expect=_set(OK),
    )
    add(
        "multipage-tiff",
        _pil(frames[0], "TIFF", save_all=True, append_images=frames[1:]),
        "pages.tif",
        expect=_set(OK),
    )

    # EXIF: every orientation, invalid ones, huge and broken blocks
    for orientation in range(1, 9):
        add(
            f"exif-orientation-{orientation}",
            _pil(face, "JPEG", exif=_exif(orientation)),
            expect=_set(OK),
        )
    for orientation in (0, 9, 65535):
        add(
            f"exif-orientation-invalid-{orientation}",
            _pil(small, "JPEG", exif=_exif(orientation)),
            expect=_set(OK),
        )
    add("exif-huge", _pil(small, "JPEG", exif=_exif(6, padding=65_000)), expect=_set(OK))
    add("exif-png-orientation", _pil(small, "PNG", exif=_exif(6)), "x.png", expect=_set(OK))
    add("exif-webp-orientation", _pil(small, "WEBP", exif=_exif(8)), "x.webp", expect=_set(OK))
    broken = bytearray(_pil(small, "JPEG", exif=_exif(6)))
    app1 = broken.index(b"Exif\x00\x00")
    broken[app1 + 10 : app1 + 14] = b"\xff\xff\xff\x7f"  # the first IFD's offset, far away
    add("exif-bad-ifd-offset", bytes(broken), expect=_set(OK, UNDECODABLE))
    looped = bytearray(_pil(small, "JPEG", exif=_exif(6)))
    app1 = looped.index(b"Exif\x00\x00")
    looped[app1 + 10 : app1 + 14] = b"\x00\x00\x00\x00"  # the IFD points at the TIFF header
    add("exif-ifd-loop", bytes(looped), expect=_set(OK, UNDECODABLE))
    add(
        "exif-not-tiff",
        jpeg[:2] + b"\xff\xe1" + struct.pack(">H", 20) + b"Exif\x00\x00garbage!!!!" + jpeg[2:],
        expect=_set(OK, UNDECODABLE),
    )

    # provenance (read beside the verdict, never a reason to fail): broken Content
    # Credentials, hostile XMP and PNG text, a video with a broken manifest box
    for label, box in (
        ("length-past-end", struct.pack(">I", 0xFFFFFFF0) + b"jumb"),
        ("zero-length", b"\x00\x00\x00\x00jumb"),
        ("nested-garbage", b"\x00\x00\x00\x40jumb" + b"\x00\x00\x00\x38jumd" + bytes(range(48))),
    ):
        jumbf = b"JP\x00\x01\x00\x00\x00\x01" + box + bytes(32)
        add(
            f"c2pa-broken-{label}",
            jpeg[:2] + b"\xff\xeb" + struct.pack(">H", len(jumbf) + 2) + jumbf + jpeg[2:],
            expect=_set(OK),
        )
    huge_xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
        b'xmp:CreatorTool="' + b"\xe2\x80\xae" * 20_000 + b'"/></rdf:RDF></x:xmpmeta>'
    )
    add("xmp-huge-creator-tool", _pil(small, "JPEG", xmp=huge_xmp), expect=_set(OK))
    add(
        "xmp-entity-expansion",
        _pil(
            small,
            "JPEG",
            xmp=b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;&b;</x>',
        ),
        expect=_set(OK),
    )
    add(
        "xmp-not-utf8",
        _pil(small, "JPEG", xmp=b"\xff\xfe<x:xmpmeta>\x00\x81" * 100),
        expect=_set(OK),
    )
    texts = PngImagePlugin.PngInfo()
    texts.add_text("parameters", "\u202e\x07" * 50_000)
    texts.add_text("Software", "Midjourney " * 10_000)
    add("png-huge-generator-text", _pil(small, "PNG", pnginfo=texts), "x.png", expect=_set(OK))

    # file names: never a path, never a control character (a valid photo each)
    for label, name in (
        ("dotdot", "../../../etc/passwd"),
        ("dotdot-jpg", "../../x/../../photo.jpg"),
        ("backslash", "..\\..\\windows\\system32\\photo.jpg"),
        ("absolute", "/etc/shadow.jpg"),
        ("nul", "photo\x00.jpg"),
        ("nul-only", "\x00"),
        ("dotdot-only", ".."),
        ("slash-only", "/"),
        ("rtl-override", "gpj\u202e.exe.jpg"),
        ("zero-width", "pho\u200bto.jpg"),
        ("emoji", "\U0001f600\U0001f4f7.jpg"),
        ("cjk", "\u5199\u771f.jpg"),
        ("combining", "E\u0301clair.jpg"),
        ("long", "a" * 1000 + ".jpg"),
        ("longer-than-a-part-header", "a" * 5000 + ".jpg"),
        ("windows-device", "CON.jpg"),
        ("hidden", ".htaccess"),
        ("home", "~/.ssh/authorized_keys"),
        ("percent", "%2e%2e%2f%2e%2e%2fphoto.jpg"),
        ("shell", "$(touch pwned).jpg"),
        ("quotes", 'it\'s "quoted".jpg'),
        ("crlf", "photo\r\nX-Injected: 1.jpg"),
        ("dot-suffix", "photo.\u5199\u771f"),
        ("empty", ""),
    ):
        # a name beyond the multipart parser's header limit refuses the whole request
        expect = {"crlf": None, "longer-than-a-part-header": _set("invalid_request")}
        add(f"filename-{label}", jpeg, name, expect=expect.get(label, _set(OK)))

    # videos
    face_frames = [face_rgb] * 10
    blank_frames = [np.full_like(face_rgb, 90)] * 10
    avi = _video(tmp, "face.avi", "MJPG", face_frames)
    mp4 = _video(tmp, "face.mp4", "mp4v", face_frames)

    def video(name: str, data: bytes, filename: str, expect: frozenset[str] | None) -> None:
        add(name, data, filename, kind="video", expect=expect)

    video("video-avi", avi, "clip.avi", _set(OK))
    video("video-mp4", mp4, "clip.mp4", _set(OK))
    video("video-no-face", _video(tmp, "blank.mp4", "mp4v", blank_frames), "blank.mp4", _set(OK))
    video("video-one-frame", _video(tmp, "one.avi", "MJPG", face_frames[:1]), "one.avi", _set(OK))
    video(
        "video-16px",
        _video(tmp, "tiny.avi", "MJPG", [np.full((16, 16, 3), 90, np.uint8)] * 3),
        "tiny.avi",
        _set(OK),
    )
    # 4K and 8K frames: each is decoded, then downscaled before it is kept (memory stays
    # bounded however many frames are asked for)
    for label, (w, h) in (("4k", (3840, 2160)), ("8k", (7680, 4320))):
        frame = np.full((h, w, 3), 90, np.uint8)
        side = h // 2
        frame[h // 4 : h // 4 + side, w // 3 : w // 3 + side] = cv2.resize(face_rgb, (side, side))
        clip = _video(tmp, f"{label}.avi", "MJPG", [frame] * 3)
        video(f"video-{label}", clip, f"{label}.avi", _set(OK))
    video("video-no-frames-avi", _avi_without_frames(tmp), "none.avi", _set(UNREADABLE, EMPTY))
    video(
        "video-no-frames-mp4",
        mp4[: mp4.index(b"mdat") + 4] if b"mdat" in mp4 else mp4[:48],
        "none.mp4",
        _set(UNREADABLE),
    )
    for keep in (0.05, 0.3, 0.6, 0.95):
        video(f"truncated-mp4-{keep}", mp4[: int(len(mp4) * keep)], "cut.mp4", _set(UNREADABLE, OK))
        video(f"truncated-avi-{keep}", avi[: int(len(avi) * keep)], "cut.avi", _set(UNREADABLE, OK))
    video("video-empty", b"", "empty.mp4", _set(EMPTY))
    video("video-one-byte", b"\x00", "x.mp4", _set(UNREADABLE))
    video("video-text", b"this is not a video\n" * 20, "notes.mp4", _set(UNREADABLE))
    video(
        "video-html",
        b"<html><video src=x onerror=alert(1)></video></html>",
        "x.webm",
        _set(UNREADABLE),
    )
    video("video-zip", _zip({"clip.mp4": mp4}), "clip.mp4", _set(UNREADABLE))
    video("video-jpeg-named-mp4", jpeg, "photo.mp4", _set(UNREADABLE, OK))
    video(
        "video-ftyp-only",
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2",
        "x.mp4",
        _set(UNREADABLE),
    )
    video(
        "video-random",
        rng.integers(0, 256, 50_000, dtype=np.uint8).tobytes(),
        "x.mkv",
        _set(UNREADABLE),
    )
    video("video-mp4-named-jpg", mp4, "clip.jpg", _set(OK, UNREADABLE))
    video("video-avi-bad-name", avi, "../../clip\x00.avi", _set(OK))
    c2pa_uuid = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")  # C2PA's box in MP4
    moov = mp4.index(b"moov") - 4
    broken_box = struct.pack(">I", 8 + 16 + 40) + b"uuid" + c2pa_uuid + bytes(range(40))
    video("video-mp4-broken-c2pa-box", mp4[:moov] + broken_box + mp4[moov:], "clip.mp4", _set(OK))
    video(
        "video-hours-long",
        avi_at_rate(_video(tmp, "slow.avi", "MJPG", face_frames[:3]), scale=10_000, rate=1),
        "slow.avi",
        _set(UNREADABLE),
    )
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the files and index.json to")
    args = parser.parse_args()
    from skimage import data

    face = cv2.resize(data.astronaut(), (256, 256), interpolation=cv2.INTER_AREA)
    args.out.mkdir(parents=True, exist_ok=True)
    index = []
    for number, case in enumerate(hostile_corpus(face, args.out / "scratch")):
        stored = f"{number:03d}.bin"
        (args.out / stored).write_bytes(case.data)
        index.append(
            {
                "file": stored,
                "name": case.name,
                "filename": case.filename,
                "kind": case.kind,
                "expect": sorted(case.expect) if case.expect else None,
            }
        )
    (args.out / "index.json").write_text(json.dumps(index, indent=1), encoding="utf-8")
    print(f"{len(index)} hostile files in {args.out}")


if __name__ == "__main__":
    main()
