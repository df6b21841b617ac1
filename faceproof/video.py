"""Sampling frames from a video file, evenly over its length, with the container's timestamps.

Knows nothing of models: the analysis that scores faces calls `read_frames` and gets RGB
frames with their index and time.

Times come from the container's presentation timestamps (pts x time base), not from
index / fps, which is wrong for variable-frame-rate phone videos. Sampling is even in time:
the frame shown at the middle of each of `num_frames` equal stretches of the video (for a
constant frame rate these are the frames `sample_frame_indices` names). The stream's
packets are read once without decoding (`_index_stream`) to learn every frame's timestamp
and the keyframes; decoding then only does the work the sampled frames need:

- packets before a keyframe that precedes the next sampled frame are not decoded at all
  (the decoder is drained and flushed, then restarts at the keyframe);
- non-reference frames (which no other frame is predicted from) are skipped by the decoder
  unless they are sampled (`skip_frame = "NONREF"`, switched per packet): the pixels of
  every frame that is decoded are those of a full decode;
- the decoder runs with FFmpeg's frame and slice threads.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from faceproof.errors import VideoError


@dataclass
class VideoFrame:
    """One decoded frame.

    Attributes:
        index: Frame number in presentation order, from 0.
        time_s: Presentation time from the first frame, in seconds (the container's pts).
        image: RGB uint8 array of shape (height, width, 3).
        decoded_size: (width, height) as decoded, before any downscaling to `max_pixels`.
    """

    index: int
    time_s: float
    image: np.ndarray
    decoded_size: tuple[int, int]


@dataclass
class VideoInfo:
    """What a video's stream holds, counted from its packets.

    Attributes:
        frame_count: Number of frames.
        fps: Average frames per second (frames / duration); 0.0 when the duration is 0.
        width: Frame width in pixels, as the stream declares it.
        height: Frame height in pixels, as the stream declares it.
        duration_s: From the first frame's presentation time to the end of the last frame.
    """

    frame_count: int
    fps: float
    width: int
    height: int
    duration_s: float


@dataclass
class _StreamIndex:
    """Every packet of the video stream, in decode order, without its data."""

    pts: list[int]  # per packet (decode order), in time-base units
    keyframe: list[bool]  # per packet
    end_pts: int  # end of the last frame shown
    time_base: Fraction
    width: int
    height: int

    @property
    def presentation(self) -> list[int]:
        return sorted(self.pts)

    @property
    def duration_s(self) -> float:
        return float((self.end_pts - min(self.pts)) * self.time_base)


def probe_video(path: str | Path) -> VideoInfo:
    """Counts a video's frames and reads its size and length, without decoding frames.

    Args:
        path: The video file.

    Returns:
        The video's description.

    Raises:
        VideoError: The file cannot be opened as a video or holds no frame or no size.
    """
    with _open(path) as container:
        index = _index_stream(container, path)
    duration = index.duration_s
    count = len(index.pts)
    return VideoInfo(
        count, count / duration if duration > 0 else 0.0, index.width, index.height, duration
    )


def sample_frame_indices(frame_count: int, num_frames: int) -> list[int]:
    """Picks frames evenly spread over a constant-rate video: the middle frame of equal segments.

    Args:
        frame_count: Frames in the video.
        num_frames: Frames wanted.

    Returns:
        Sorted, unique indices within 0..frame_count-1; every frame when `num_frames` is at
        least `frame_count`.

    Raises:
        ValueError: `num_frames` is not positive.
    """
    return sample_frames_in_time(list(range(frame_count)), frame_count, num_frames)


def sample_frames_in_time(starts: list[int], end: int, num_frames: int) -> list[int]:
    """Picks the frames shown at the middle of `num_frames` equal stretches of time.

    Args:
        starts: Each frame's presentation time, sorted, in integer time-base units.
        end: When the last frame stops being shown, in the same units.
        num_frames: Frames wanted.

    Returns:
        Sorted, unique positions in `starts`; every frame when `num_frames` is at least
        their number. A frame shown across two midpoints is picked once.

    Raises:
        ValueError: `num_frames` is not positive.
    """
    if num_frames <= 0:
        raise ValueError(f"num_frames must be positive, got {num_frames}.")
    if not starts:
        return []
    if num_frames >= len(starts):
        return list(range(len(starts)))
    first, span = starts[0], max(end - starts[0], 1)
    # midpoint k is first + (2k + 1) * span / (2 n): compared in integers, exactly
    scaled = [2 * num_frames * (s - first) for s in starts]
    picked = {
        max(0, bisect.bisect_right(scaled, (2 * k + 1) * span) - 1) for k in range(num_frames)
    }
    return sorted(picked)


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
) -> Iterator[VideoFrame]:
    """Reads `num_frames` frames spread evenly in time over a video.

    The video's packets are indexed (read without decoding) when this is called; frames are
    decoded as the iterator is consumed. Frames that fail to decode are skipped.

    Args:
        path: The video file.
        num_frames: Frames wanted; all frames when the video has fewer.
        max_duration_s: Longest video accepted, in seconds; None for no limit. Indexing stops
            as soon as a packet lies beyond it, so an overlong video costs no more than that.
        max_pixels: Frames with more pixels are scaled down (area interpolation) to fit in
            the same pass that converts them to RGB, so a 4K or 8K clip costs no more memory
            per kept frame than this; None keeps the decoded size.

    Returns:
        An iterator of frames in presentation order.

    Raises:
        ValueError: `num_frames` is not positive.
        VideoError: The video cannot be opened, is longer than `max_duration_s`, or (while
            iterating) no frame at all could be decoded.
    """
    if num_frames <= 0:
        raise ValueError(f"num_frames must be positive, got {num_frames}.")
    with _open(path) as container:
        index = _index_stream(container, path, max_duration_s)
    if max_duration_s is not None and index.duration_s > max_duration_s:
        raise VideoError(
            f"The video lasts {index.duration_s:.1f} s or more; the limit is {max_duration_s:g} s."
        )
    shown = index.presentation
    wanted = {shown[i]: i for i in sample_frames_in_time(shown, index.end_pts, num_frames)}
    return _decode(path, index, wanted, max_pixels)


def packets_to_decode(pts: list[int], keyframe: list[bool], wanted: set[int]) -> list[bool]:
    """Which packets (decode order) the wanted frames need: from the last keyframe before each.

    A wanted frame needs its own packet and every packet back to the latest keyframe at or
    before it in both decode and presentation order (so an open GOP's leading frames, shown
    before their keyframe, go back one keyframe further). The first packet counts as a
    keyframe, whatever its flag says.

    Args:
        pts: Each packet's presentation time, in decode order.
        keyframe: Each packet's keyframe flag.
        wanted: Presentation times of the frames wanted.

    Returns:
        One flag per packet.
    """
    needed = [False] * len(pts)
    latest_key = 0  # decode index of the latest keyframe seen
    keys: list[int] = []
    for i, (p, key) in enumerate(zip(pts, keyframe, strict=True)):
        if key or i == 0:
            keys.append(i)
            latest_key = i
        if p not in wanted:
            continue
        start = latest_key
        while start > 0 and pts[start] > p:  # a leading frame: an earlier keyframe
            start = max((k for k in keys if k < start), default=0)
        needed[start : i + 1] = [True] * (i + 1 - start)
    return needed


def _decode(
    path: str | Path, index: _StreamIndex, wanted: dict[int, int], max_pixels: int | None
) -> Iterator[VideoFrame]:
    needed = packets_to_decode(index.pts, index.keyframe, set(wanted))
    last_needed = max(i for i, need in enumerate(needed) if need)
    first = min(index.pts)
    yielded = 0
    with _open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        codec = stream.codec_context
        pending: dict[int, VideoFrame] = {}  # decoded, waiting for an earlier sampled frame
        order = sorted(wanted)
        position = 0  # next sampled frame to yield, in `order`
        packet_number, skipping = 0, False

        def take(frames) -> None:
            for frame in frames:
                if frame.pts in wanted and frame.pts not in pending:
                    pending[frame.pts] = _to_video_frame(
                        frame, wanted[frame.pts], (frame.pts - first) * index.time_base, max_pixels
                    )

        try:
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                if packet_number > last_needed:
                    break  # the rest of the file holds no frame we want
                need = needed[packet_number]
                packet_number += 1
                if not need:
                    skipping = True
                    continue
                if skipping:  # restart at a keyframe: what the decoder holds comes out first
                    take(_safe_decode(codec, None))
                    codec.flush_buffers()
                    skipping = False
                codec.skip_frame = "DEFAULT" if packet.pts in wanted else "NONREF"
                take(_safe_decode(codec, packet))
                # frames come out in presentation order: yield those no earlier one is due for
                while position < len(order) and order[position] in pending:
                    yielded += 1
                    yield pending.pop(order[position])
                    position += 1
            codec.skip_frame = "DEFAULT"
            take(_safe_decode(codec, None))
        except av.FFmpegError:
            pass  # a damaged stream: keep what was decoded
        for pts in order[position:]:
            if pts in pending:  # a frame before it failed to decode
                yielded += 1
                yield pending.pop(pts)
    if yielded == 0:
        raise VideoError(f"No frame of {Path(path).name} could be decoded.")


def _safe_decode(codec, packet) -> list:
    try:
        return codec.decode(packet)
    except av.InvalidDataError:  # one damaged packet: the frames after it may still decode
        return []


def _to_video_frame(
    frame: av.VideoFrame, index: int, time: Fraction, max_pixels: int | None
) -> VideoFrame:
    # the stream's declared size may lie: bound what was actually decoded
    decoded_size = (int(frame.width), int(frame.height))
    scale = frame_scale(*decoded_size, max_pixels)
    if scale < 1.0:
        width = max(1, int(frame.width * scale))
        height = max(1, int(frame.height * scale))
        rgb = frame.reformat(
            width=width, height=height, format="rgb24", interpolation="AREA"
        ).to_ndarray()
    else:
        rgb = frame.to_ndarray(format="rgb24")
    return VideoFrame(
        index=index, time_s=float(time), image=np.ascontiguousarray(rgb), decoded_size=decoded_size
    )


def _open(path: str | Path) -> av.container.InputContainer:
    path = Path(path)
    if not path.is_file():
        raise VideoError(f"Video not found: {path}")
    try:
        container = av.open(str(path), metadata_errors="replace")
    except (av.FFmpegError, UnicodeDecodeError) as exc:
        raise VideoError(f"{path.name} could not be opened as a video.") from exc
    if not container.streams.video:
        container.close()
        raise VideoError(f"{path.name} could not be opened as a video.")
    return container


def _index_stream(
    container: av.container.InputContainer, path: str | Path, max_duration_s: float | None = None
) -> _StreamIndex:
    """Reads the first video stream's packets (not their frames): timestamps and keyframes."""
    stream = container.streams.video[0]
    time_base = stream.time_base or Fraction(1, 1)
    limit = (
        None if max_duration_s is None else int(max_duration_s / time_base) + 1
    )  # a little past it: refused after
    pts, keyframe, durations = [], [], []
    try:
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            stamp = packet.pts if packet.pts is not None else packet.dts
            if stamp is None:
                raise VideoError(f"{Path(path).name} has frames without timestamps.")
            pts.append(int(stamp))
            keyframe.append(bool(packet.is_keyframe))
            durations.append(int(packet.duration or 0))
            if limit is not None and stamp - pts[0] > limit:
                break  # already too long: no need to read the rest
    except av.FFmpegError:
        pass  # a damaged or truncated file: index what could be read
    codec = stream.codec_context
    width, height = int(codec.width or 0), int(codec.height or 0)
    if not pts or width <= 0 or height <= 0:
        raise VideoError(
            f"{Path(path).name} holds no frames or no size ({len(pts)} frames, {width}x{height})."
        )
    last = max(range(len(pts)), key=pts.__getitem__)
    shown = sorted(pts)
    gaps = [b - a for a, b in itertools.pairwise(shown) if b > a]
    last_duration = durations[last] or (int(np.median(gaps)) if gaps else 0)
    return _StreamIndex(pts, keyframe, shown[-1] + last_duration, time_base, width, height)
