"""Errors the core raises for bad input; each carries a stable machine-readable `code`.

The service maps these to 4xx responses with the same `code`; anything else is a bug.
"""

from __future__ import annotations


class FaceProofError(Exception):
    """Base class: a problem with the caller's input or setup, not a bug."""

    code = "faceproof_error"


class DecodeError(FaceProofError):
    """The bytes are not an image we can decode (empty, truncated, unknown format...)."""

    code = "undecodable_image"


class ImageTooLargeError(FaceProofError):
    """The image has more pixels than allowed (decompression-bomb guard)."""

    code = "image_too_large"


class VideoError(FaceProofError):
    """The video cannot be opened or holds no readable frame."""

    code = "unreadable_video"


class BundleError(FaceProofError):
    """A model bundle is missing, incomplete or inconsistent."""

    code = "invalid_bundle"


class UnknownModelError(FaceProofError):
    """A model name was asked for that is not loaded."""

    code = "unknown_model"
