"""The reference for `bench.video_decode`: the frame reader FaceProof used before PyAV.

OpenCV's `VideoCapture`: frames sampled by index (`sample_frame_indices` of the frame count
the container claims), every frame up to the next sample decoded (`grab()`, no colour
conversion), a seek only across gaps of 250 frames or more, times computed as index / fps
(wrong for variable-frame-rate video). Same signature and frames as `faceproof.video`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from faceproof.errors import VideoError
from faceproof.video import VideoFrame, frame_scale, sample_frame_indices

SEEK_MIN_GAP = 250


def read_frames(
    path: str | Path,
    num_frames: int,
    *,
    max_duration_s: float | None = None,
    max_pixels: int | None = None,
) -> Iterator[VideoFrame]:
    """Reads `num_frames` frames by index, the way FaceProof did with OpenCV."""
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise VideoError(f"{Path(path).name} could not be opened as a video.")
    frame_count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    fps = float(capture.get(cv2.CAP_PROP_FPS))
    capture.release()
    duration = frame_count / fps if fps > 0 else 0.0
    if max_duration_s is not None and duration > max_duration_s:
        raise VideoError(f"The video lasts {duration:.1f} s; the limit is {max_duration_s:g} s.")
    return _iter_frames(path, sample_frame_indices(frame_count, num_frames), fps, max_pixels)


def _iter_frames(
    path: str | Path, indices: list[int], fps: float, max_pixels: int | None
) -> Iterator[VideoFrame]:
    capture = cv2.VideoCapture(str(path))
    try:
        position = 0
        for index in indices:
            if index - position >= SEEK_MIN_GAP:
                capture.set(cv2.CAP_PROP_POS_FRAMES, index)
                position = index
            while position < index and capture.grab():
                position += 1
            if position < index or not capture.grab():
                break
            position += 1
            ok, bgr = capture.retrieve()
            if not ok or bgr is None:
                continue
            decoded_size = (int(bgr.shape[1]), int(bgr.shape[0]))
            scale = frame_scale(*decoded_size, max_pixels)
            if scale < 1.0:
                size = (max(1, int(bgr.shape[1] * scale)), max(1, int(bgr.shape[0] * scale)))
                bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
            rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            yield VideoFrame(
                index=index,
                time_s=index / fps if fps > 0 else 0.0,
                image=rgb,
                decoded_size=decoded_size,
            )
    finally:
        capture.release()
