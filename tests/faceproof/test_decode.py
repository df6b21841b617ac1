"""Tests for faceproof.decode: formats, orientation, colour modes, bad bytes, pixel limits."""

from __future__ import annotations

import io
import resource
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from faceproof.decode import DEFAULT_MAX_PIXELS, SUPPORTED_FORMATS, decode_image, load_image
from faceproof.errors import DecodeError, ImageTooLargeError


def _pattern(height: int = 48, width: int = 64) -> np.ndarray:
    """A smooth colour gradient: survives lossy codecs well enough to compare."""
    ys, xs = np.mgrid[0:height, 0:width]
    return np.stack([xs * 255 // width, ys * 255 // height, (xs + ys) % 256], axis=2).astype(
        np.uint8
    )


def _encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of a blank width x height image, a few kilobytes on disk."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = bytes(1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    rows_per_block = 1000
    parts = [compressor.compress(row * rows_per_block) for _ in range(height // rows_per_block)]
    parts.append(compressor.compress(row * (height % rows_per_block)))
    parts.append(compressor.flush())
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    return png + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("fmt", ["PNG", "BMP"])
def test_lossless_round_trip_is_exact(fmt: str) -> None:
    pixels = _pattern()
    decoded = decode_image(_encode(Image.fromarray(pixels), fmt))
    np.testing.assert_array_equal(decoded, pixels)


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_lossy_round_trip_keeps_shape_and_colours(fmt: str) -> None:
    pixels = _pattern()
    decoded = decode_image(_encode(Image.fromarray(pixels), fmt, quality=95))
    assert decoded.shape == pixels.shape
    assert np.abs(decoded.astype(int) - pixels).mean() < 8


def test_output_is_contiguous_rgb_uint8() -> None:
    decoded = decode_image(_encode(Image.fromarray(_pattern()), "PNG"))
    assert decoded.dtype == np.uint8
    assert decoded.ndim == 3 and decoded.shape[2] == 3
    assert decoded.flags.c_contiguous


def test_exif_orientation_is_applied() -> None:
    pixels = _pattern(48, 64)
    pixels[:8, :8] = (255, 0, 0)  # a red top-left corner to follow through the rotation
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    data = _encode(Image.fromarray(pixels), "JPEG", quality=95, exif=exif)
    decoded = decode_image(data)
    assert decoded.shape == (64, 48, 3)
    # A clockwise turn carries the top-left corner to the top-right.
    corner = decoded[:6, -6:].reshape(-1, 3).mean(axis=0)
    assert corner[0] > 200 and corner[1] < 60 and corner[2] < 60


def test_rgba_is_composited_onto_white() -> None:
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 255  # red...
    rgba[:2, :, 3] = 0  # ...transparent in the top half
    rgba[2:, :, 3] = 128  # ...half transparent below
    decoded = decode_image(_encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert (decoded[:2] == 255).all()
    np.testing.assert_allclose(decoded[2:].reshape(-1, 3), [[255, 127, 127]] * 8, atol=1)


def test_palette_with_transparency() -> None:
    image = Image.new("P", (4, 4), 0)
    image.putpalette([0, 0, 255] + [0, 255, 0] * 255)
    image.putpixel((0, 0), 1)
    data = _encode(image, "PNG", transparency=0)
    decoded = decode_image(data)
    assert tuple(decoded[0, 0]) == (0, 255, 0)
    assert tuple(decoded[3, 3]) == (255, 255, 255)  # the transparent index becomes white


def test_palette_without_transparency() -> None:
    image = Image.fromarray(_pattern()).convert("P", palette=Image.Palette.ADAPTIVE)
    decoded = decode_image(_encode(image, "PNG"))
    np.testing.assert_array_equal(decoded, np.asarray(image.convert("RGB")))


def test_cmyk_jpeg_becomes_rgb() -> None:
    data = _encode(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG", quality=95)
    decoded = decode_image(data)
    assert decoded.shape == (8, 8, 3)
    np.testing.assert_allclose(decoded[4, 4], [255, 0, 0], atol=8)


def test_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    values = np.array([[0, 32768, 65535, 1000]], np.uint16)
    image = Image.fromarray(values)
    assert image.mode.startswith("I;16")
    decoded = decode_image(_encode(image, "PNG"))
    np.testing.assert_array_equal(decoded[0, :, 0], [0, 128, 255, 4])
    assert (decoded == decoded[..., :1]).all()


def test_one_bit_and_float_images() -> None:
    bits = Image.new("1", (4, 2), 1)
    assert (decode_image(_encode(bits, "PNG")) == 255).all()
    floats = Image.fromarray(np.array([[0.0, 0.5, 1.0]], np.float32), "F")
    decoded = decode_image(_encode(floats, "TIFF"))
    np.testing.assert_array_equal(decoded[0, :, 0], [0, 128, 255])


def test_grey_with_alpha_is_composited() -> None:
    image = Image.fromarray(np.array([[[0, 0], [0, 255]]], np.uint8), "LA")
    decoded = decode_image(_encode(image, "PNG"))
    np.testing.assert_array_equal(decoded[0], [[255, 255, 255], [0, 0, 0]])


def test_animated_gif_gives_first_frame() -> None:
    frames = [Image.new("RGB", (8, 8), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=50)
    decoded = decode_image(buffer.getvalue())
    assert decoded.shape == (8, 8, 3)
    np.testing.assert_allclose(decoded[4, 4], [255, 0, 0], atol=4)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)),
        b"this is a text file, not an image\n" * 20,
    ],
    ids=["empty", "random", "text"],
)
def test_non_images_raise_decode_error(data: bytes) -> None:
    with pytest.raises(DecodeError) as info:
        decode_image(data)
    assert info.value.code == "undecodable_image"
    assert str(info.value)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_files_raise_decode_error(fmt: str) -> None:
    noise = np.random.default_rng(1).integers(0, 256, (128, 128, 3), dtype=np.uint8)
    data = _encode(Image.fromarray(noise), fmt)
    with pytest.raises(DecodeError) as info:
        decode_image(data[: len(data) // 2])
    assert info.value.__cause__ is not None


def test_unsupported_format_is_refused() -> None:
    data = _encode(Image.new("RGB", (4, 4)), "PCX")  # Pillow reads PCX; we do not
    assert "PCX" not in SUPPORTED_FORMATS
    with pytest.raises(DecodeError):
        decode_image(data)


def test_decompression_bomb_is_refused_before_decoding() -> None:
    data = _png_bomb(20_000, 20_000)
    assert len(data) < 200_000
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(ImageTooLargeError) as info:
        decode_image(data)
    assert time.perf_counter() - start < 1.0
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown_kib < 100_000  # the pixels alone would be 400 MB
    assert info.value.code == "image_too_large"
    assert f"{DEFAULT_MAX_PIXELS:,}" in str(info.value)


def test_over_the_limit_reports_size_and_limit() -> None:
    data = _png_bomb(7_000, 7_000)  # 49 Mpx: over our limit, under Pillow's own
    start = time.perf_counter()
    with pytest.raises(ImageTooLargeError, match=r"7000x7000 .*40,000,000"):
        decode_image(data)
    assert time.perf_counter() - start < 1.0


def test_custom_max_pixels() -> None:
    data = _encode(Image.new("RGB", (100, 50)), "PNG")
    assert decode_image(data, max_pixels=5_000).shape == (50, 100, 3)
    with pytest.raises(ImageTooLargeError, match="100x50"):
        decode_image(data, max_pixels=4_999)


def test_load_image_reads_a_file(tmp_path) -> None:
    path = tmp_path / "pattern.png"
    path.write_bytes(_encode(Image.fromarray(_pattern()), "PNG"))
    np.testing.assert_array_equal(load_image(path), _pattern())
    with pytest.raises(ImageTooLargeError):
        load_image(str(path), max_pixels=10)


@pytest.mark.parametrize("size", [(0, 10), (10, 0)])
def test_zero_sized_image_raises_decode_error(size: tuple[int, int]) -> None:
    with pytest.raises(DecodeError):
        decode_image(_png_bomb(*size))


def test_refuses_to_run_with_truncated_loading_switched_on(monkeypatch) -> None:
    # Pillow would otherwise fill the missing part with grey and say nothing.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        decode_image(_encode(Image.new("RGB", (4, 4)), "PNG"))
