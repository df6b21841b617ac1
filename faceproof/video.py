"""Sampling frames from a video file, evenly over its length.

Knows nothing of models: the analysis that scores faces calls `read_frames` and gets RGB
frames with their index and time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from faceproof.errors import VideoError

SEEK_MIN_GAP = 250
"""Frames to skip before a seek is preferred to reading on.

`grab()` skips colour conversion but still decodes, and a seek decodes again from the
previous keyframe, which in H.264 is up to 250 frames back (x264's default keyframe
interval). So seeking only pays across long gaps: on a 10 s 1080p DFDC clip, 8 seeks took
3.8 s where grabbing all 300 frames took 1.0 s.
"""


@dataclass
class VideoFrame:
    """One decoded frame.

    Attributes:
        index: Frame number, from 0.
        time_s: Time of the frame from the start, in seconds.
        image: RGB uint8 array of shape (height, width, 3).
        decoded_size: (width, height) as decoded, before any downscaling to `max_pixels`.
    """

    index: int
    time_s: float
    image: np.ndarray
    decoded_size: tuple[int, int] | None = None


@dataclass
class VideoInfo:
    """What the container says about a video (frame counts may be estimates).

    Attributes:
        frame_count: Number of frames.
        fps: Frames per second; 0.0 when the container does not say.
        width: Frame width in pixels.
        height: Frame height in pixels.
        duration_s: Length in seconds; 0.0 when `fps` is unknown.
    """

    frame_count: int
    fps: float
    width: int
    height: int
    duration_s: float


def probe_video(path: str | Path) -> VideoInfo:
    """Reads a video's frame count, rate and size without decoding frames.

    Args:
        path: The video file.

    Returns:
        The video's description.

    Raises:
        VideoError: The file cannot be opened as a video or reports no frames or no size.
    """
    capture = _open(path)
    try:
        return _describe(capture, path)
    finally:
        capture.release()


def sample_frame_indices(frame_count: int, num_frames: int) -> list[int]:
    """Picks frames evenly spread over a video: the middle frame of equal segments.

    Args:
        frame_count: Frames in the video.
        num_frames: Frames wanted.

    Returns:
        Sorted, unique indices within 0..frame_count-1; every frame when `num_frames` is at
        least `frame_count`.

    Raises:
        ValueError: `num_frames` is not positive.
    """
    if num_frames <= 0:
        raise ValueError(f"num_frames must be positive, got {num_frames}.")
    if frame_count <= 0:
        return []
    if num_frames >= frame_count:
        return list(range(frame_count))
    segment = frame_count / num_frames
    midpoints = np.floor(segment * (np.arange(num_frames) + 0.5)).astype(int)
    # Segments are at least one frame long here, so the floors are already distinct.
    return sorted({int(i) for i in np.clip(midpoints, 0, frame_count - 1)})


def frame_scale(width: int, height: int, max_pixels: int | None) -> float:
    """The factor (at most 1) that brings a width x height frame within `max_pixels`.

    Args:
        width: Frame width in pixels.
        height: Frame height in pixels.
        max_pixels: Most pixels a frame may keep; None for no bound.

    Returns:
        1.0 when the frame fits, else the square root of the pixel ratio.
    """
    if not max_pixels or width * height <= max_pixels:
        return 1.0
    return float(np.sqrt(max_pixels / (width * height)))


def read_frames(
    path: str | Path,
    num_frames: int,
    *,
    max_duration_s: float | None = None,
    max_pixels: int | None = None,
    seek_min_gap: int = SEEK_MIN_GAP,
) -> Iterator[VideoFrame]:
    """Reads `num_frames` frames spread evenly over a video, each decoded once.

    The video is opened and checked when this is called; frames are decoded as the iterator is
    consumed. Frames that fail to decode are skipped, and reading stops at the real end of the
    stream where the container claimed more frames than it holds.

    Args:
        path: The video file.
        num_frames: Frames wanted; all frames when the video has fewer.
        max_duration_s: Longest video accepted, in seconds; None for no limit. It cannot be
            enforced where the container gives no frame rate (duration 0.0).
        max_pixels: Frames with more pixels are downscaled (area interpolation) to fit as
            they are decoded, so a 4K or 8K clip costs no more memory per kept frame than
            this; None keeps the decoded size.
        seek_min_gap: Gaps of at least this many frames are crossed by seeking, shorter ones
            by reading on (see `SEEK_MIN_GAP`).

    Returns:
        An iterator of frames in order.

    Raises:
        ValueError: `num_frames` is not positive.
        VideoError: The video cannot be opened, is longer than `max_duration_s`, or (while
            iterating) no frame at all could be decoded.
    """
    if num_frames <= 0:
        raise ValueError(f"num_frames must be positive, got {num_frames}.")
    info = probe_video(path)
    if max_duration_s is not None and info.duration_s > max_duration_s:
        raise VideoError(
            f"The video lasts {info.duration_s:.1f} s; the limit is {max_duration_s:g} s."
        )
    indices = sample_frame_indices(info.frame_count, num_frames)
    return _iter_frames(path, indices, info.fps, seek_min_gap, max_pixels)


def _iter_frames(
    path: str | Path, indices: list[int], fps: float, seek_min_gap: int,
    max_pixels: int | None = None,
) -> Iterator[VideoFrame]:
    capture = _open(path)
    yielded = 0
    try:
        position = 0  # index of the frame the next grab() returns
        for index in indices:
            if index - position >= seek_min_gap:
                capture.set(cv2.CAP_PROP_POS_FRAMES, index)
                position = index
            while position < index and capture.grab():
                position += 1
            # A failed grab is the end of the stream, whatever the container claimed.
            if position < index or not capture.grab():
                break
            position += 1
            ok, bgr = capture.retrieve()
            if not ok or bgr is None:
                continue
            time_s = index / fps if fps > 0 else capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
            # the container's size may lie: bound what was actually decoded
            decoded_size = (int(bgr.shape[1]), int(bgr.shape[0]))
            scale = frame_scale(*decoded_size, max_pixels)
            if scale < 1.0:
                size = (max(1, int(bgr.shape[1] * scale)), max(1, int(bgr.shape[0] * scale)))
                bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
            rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            yielded += 1
            yield VideoFrame(index=index, time_s=time_s, image=rgb, decoded_size=decoded_size)
    finally:
        capture.release()
    if yielded == 0:
        raise VideoError(f"No frame of {Path(path).name} could be decoded.")


def _open(path: str | Path) -> cv2.VideoCapture:
    path = Path(path)
    if not path.is_file():
        raise VideoError(f"Video not found: {path}")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        raise VideoError(f"{path.name} could not be opened as a video.")
    return capture


def _describe(capture: cv2.VideoCapture, path: str | Path) -> VideoInfo:
    frame_count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
    height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    fps = float(capture.get(cv2.CAP_PROP_FPS))
    if frame_count <= 0 or width <= 0 or height <= 0:
        raise VideoError(
            f"{Path(path).name} reports no frames or no size "
            f"({frame_count} frames, {width}x{height})."
        )
    if not np.isfinite(fps) or fps <= 0:
        fps = 0.0
    duration_s = frame_count / fps if fps > 0 else 0.0
    return VideoInfo(frame_count, fps, width, height, duration_s)
