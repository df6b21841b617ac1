"""Image decoding: untrusted bytes to an upright RGB uint8 array, or a clear error.

Every image the core sees comes through `decode_image`, so it is where orientation, colour
modes, bit depths and the pixel limit are dealt with once.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps

from faceproof.errors import DecodeError, ImageTooLargeError

DEFAULT_MAX_PIXELS = 40_000_000

# An allow-list rather than everything Pillow opens: some plugins hand the data to outside
# programs (EPS runs Ghostscript) or are rarely fuzzed, which is no place for uploaded bytes.
_WANTED_FORMATS = (
    "JPEG",  # also camera MPO files, which Pillow opens through its JPEG plugin
    "PNG",
    "WEBP",
    "BMP",
    "GIF",
    "TIFF",
    "AVIF",
    "PPM",
    "TGA",
    "ICO",
)
Image.init()
SUPPORTED_FORMATS: tuple[str, ...] = tuple(f for f in _WANTED_FORMATS if f in Image.OPEN)
"""Pillow format names `decode_image` accepts (those of `_WANTED_FORMATS` this Pillow has)."""

# Pillow's plugins raise many exception types on malformed data, not only OSError.
_DECODE_FAILURES = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    EOFError,
    IndexError,
    KeyError,
    struct.error,
    zlib.error,
)

_INT_MODES = {"I", "I;16", "I;16L", "I;16B", "I;16N"}
_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}


def decode_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decodes an encoded image into an upright RGB array.

    The EXIF orientation is applied, transparency is composited onto white, 16-bit and float
    images are scaled to 8 bits, and only the first frame of an animated image is kept.

    Pillow's own decompression-bomb limit (`Image.MAX_IMAGE_PIXELS`) is left alone and stays
    a second line of defence: an image beyond it is refused even when `max_pixels` is higher.

    Args:
        data: The encoded file contents.
        max_pixels: Largest width * height accepted, checked from the header before any pixel
            is decoded.

    Returns:
        A C-contiguous uint8 array of shape (height, width, 3).

    Raises:
        DecodeError: The bytes are empty, truncated, corrupt or of an unsupported format.
        ImageTooLargeError: The image has more than `max_pixels` pixels.
        RuntimeError: `PIL.ImageFile.LOAD_TRUNCATED_IMAGES` was switched on in this process.
    """
    if not data:
        raise DecodeError("The file is empty.")
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Someone in this process switched it on; we would return half-grey images silently.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False for decoding.")
    try:
        with Image.open(io.BytesIO(data), formats=SUPPORTED_FORMATS) as image:
            _check_size(image.size, max_pixels)
            image.load()
            upright = ImageOps.exif_transpose(image)
            rgb = _to_rgb(upright)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own limit fired while opening (the warning only arrives as an exception
        # where warnings are turned into errors); either way the image is too large.
        raise ImageTooLargeError(
            f"The image is too large ({exc}); the limit is {max_pixels:,} pixels."
        ) from exc
    except Image.UnidentifiedImageError as exc:
        formats = ", ".join(SUPPORTED_FORMATS)
        raise DecodeError(f"Not an image in a supported format ({formats}).") from exc
    except _DECODE_FAILURES as exc:
        raise DecodeError(f"The image could not be decoded: {exc}.") from exc
    return np.ascontiguousarray(rgb)


def load_image(path: str | Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Reads an image file and decodes it with `decode_image`.

    Args:
        path: The image file.
        max_pixels: Largest width * height accepted.

    Returns:
        A C-contiguous uint8 array of shape (height, width, 3).

    Raises:
        OSError: The file cannot be read.
        DecodeError: The file is not a decodable image.
        ImageTooLargeError: The image has more than `max_pixels` pixels.
    """
    return decode_image(Path(path).read_bytes(), max_pixels=max_pixels)


def _check_size(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise DecodeError(f"The image has no pixels ({width}x{height}).")
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"The image is {width}x{height} ({width * height:,} pixels); "
            f"the limit is {max_pixels:,} pixels."
        )


def _to_rgb(image: Image.Image) -> np.ndarray:
    """Converts a loaded image of any mode to an RGB uint8 array."""
    if image.mode in _INT_MODES or image.mode == "F":
        grey = _scale_to_uint8(np.asarray(image))
        return np.repeat(grey[:, :, None], 3, axis=2)
    if image.mode in _ALPHA_MODES or image.has_transparency_data:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    return np.asarray(image.convert("RGB"))


def _scale_to_uint8(values: np.ndarray) -> np.ndarray:
    """Maps a single-channel integer or float image to 0..255.

    Integers within 0..65535 are taken as 16-bit samples (65535 -> 255, not clipped); floats
    within 0..1 as normalised intensities and within 0..255 as 8-bit ones. Anything else is
    stretched from its minimum to its maximum, since its range has no agreed meaning.
    """
    is_integer = np.issubdtype(values.dtype, np.integer)
    values = np.nan_to_num(values.astype(np.float64))
    low, high = float(values.min()), float(values.max())
    if is_integer and low >= 0 and high <= 65535:
        scaled = values / 257.0
    elif not is_integer and low >= 0 and high <= 1:
        scaled = values * 255.0
    elif not is_integer and low >= 0 and high <= 255:
        scaled = values
    elif high > low:
        scaled = (values - low) * (255.0 / (high - low))
    else:
        scaled = np.zeros_like(values)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
