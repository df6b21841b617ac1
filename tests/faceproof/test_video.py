"""Tests for faceproof.video: sampling indices, reading the right frames, bad videos."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from faceproof import video
from faceproof.errors import VideoError
from faceproof.video import VideoInfo, probe_video, read_frames, sample_frame_indices

FRAMES, FPS, WIDTH, HEIGHT = 40, 10.0, 64, 48
GREY_STEP = 5  # frame i is filled with grey i * GREY_STEP, so its mean tells which it is
DFDC_VIDEO = Path(__file__).resolve().parents[2] / "../shared/data/videos/dfdc_lynaeydofd.mp4"


@pytest.fixture(scope="module")
def grey_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # MJPG: opencv-python-headless writes it everywhere, and every frame is a keyframe with
    # small error (mp4v was off by up to 3.7 grey levels here, too close to the step of 5).
    path = tmp_path_factory.mktemp("video") / "grey.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (WIDTH, HEIGHT))
    assert writer.isOpened()
    for index in range(FRAMES):
        writer.write(np.full((HEIGHT, WIDTH, 3), index * GREY_STEP, np.uint8))
    writer.release()
    return path


def _assert_right_frames(frames: list[video.VideoFrame], indices: list[int]) -> None:
    assert [f.index for f in frames] == indices
    for frame in frames:
        assert frame.image.shape == (HEIGHT, WIDTH, 3)
        assert frame.image.dtype == np.uint8 and frame.image.flags.c_contiguous
        assert frame.time_s == pytest.approx(frame.index / FPS)
        assert abs(frame.image.mean() - frame.index * GREY_STEP) < 2.0


# --- sample_frame_indices ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame_count", "num_frames", "expected"),
    [
        (40, 8, [2, 7, 12, 17, 22, 27, 32, 37]),
        (100, 3, [16, 50, 83]),
        (10, 1, [5]),
        (1, 1, [0]),
        (5, 5, [0, 1, 2, 3, 4]),
        (5, 50, [0, 1, 2, 3, 4]),
        (0, 4, []),
    ],
)
def test_sample_frame_indices(frame_count: int, num_frames: int, expected: list[int]) -> None:
    assert sample_frame_indices(frame_count, num_frames) == expected


@pytest.mark.parametrize("frame_count", [2, 7, 31, 300, 1001])
@pytest.mark.parametrize("num_frames", [1, 2, 6, 30, 299])
def test_sample_frame_indices_properties(frame_count: int, num_frames: int) -> None:
    indices = sample_frame_indices(frame_count, num_frames)
    assert len(indices) == min(frame_count, num_frames)
    assert indices == sorted(set(indices))
    assert indices[0] >= 0 and indices[-1] < frame_count
    if num_frames < frame_count:  # the frame holding the middle of each equal segment
        segment = frame_count / num_frames
        for k, index in enumerate(indices):
            assert index <= (k + 0.5) * segment < index + 1


@pytest.mark.parametrize("num_frames", [0, -3])
def test_sample_frame_indices_needs_a_positive_count(num_frames: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        sample_frame_indices(10, num_frames)


# --- probe_video and read_frames ----------------------------------------------------------


def test_probe_video(grey_video: Path) -> None:
    assert probe_video(grey_video) == VideoInfo(FRAMES, FPS, WIDTH, HEIGHT, FRAMES / FPS)


def test_read_frames_reads_the_sampled_frames(grey_video: Path) -> None:
    frames = list(read_frames(grey_video, 8))
    _assert_right_frames(frames, [2, 7, 12, 17, 22, 27, 32, 37])
    frames = list(read_frames(str(grey_video), 13))
    _assert_right_frames(frames, sample_frame_indices(FRAMES, 13))


def test_read_frames_returns_every_frame_of_a_short_video(grey_video: Path) -> None:
    frames = list(read_frames(grey_video, 100))
    _assert_right_frames(frames, list(range(FRAMES)))


def test_read_frames_rejects_a_long_video_before_decoding(grey_video: Path) -> None:
    with pytest.raises(VideoError, match=r"lasts 3\.\d s or more; the limit is 3 s"):
        read_frames(grey_video, 4, max_duration_s=3)
    assert len(list(read_frames(grey_video, 4, max_duration_s=4.0))) == 4


def test_read_frames_of_a_truncated_file(grey_video: Path, tmp_path: Path) -> None:
    # the header promises 40 frames; the packets that are left are read
    data = grey_video.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) * 6 // 10])
    frames = list(read_frames(cut, 100))
    assert 10 < len(frames) < FRAMES
    _assert_right_frames(frames, list(range(len(frames))))


def test_read_frames_without_any_readable_frame(tmp_path: Path) -> None:
    path = tmp_path / "garbage.avi"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mjpeg", rate=10)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuvj420p"
        for i in range(5):
            packet = av.Packet(b"not a jpeg" * 50)
            packet.pts = packet.dts = i
            packet.stream = stream
            out.mux(packet)
    with pytest.raises(VideoError, match="No frame"):
        list(read_frames(path, 3))


def test_read_frames_needs_a_positive_count(grey_video: Path) -> None:
    with pytest.raises(ValueError, match="positive"):
        read_frames(grey_video, 0)


def test_non_video_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("not a video at all\n" * 100)
    with pytest.raises(VideoError) as info:
        probe_video(path)
    assert info.value.code == "unreadable_video"
    with pytest.raises(VideoError):
        read_frames(path, 4)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="not found"):
        read_frames(tmp_path / "missing.mp4", 4)


# --- a real video -------------------------------------------------------------------------


def test_real_dfdc_video() -> None:
    if not DFDC_VIDEO.is_file():
        pytest.skip(f"{DFDC_VIDEO.resolve()} is absent")
    info = probe_video(DFDC_VIDEO)
    assert (info.width, info.height) == (1920, 1080)
    assert 9.5 < info.duration_s < 10.5
    frames = list(read_frames(DFDC_VIDEO, 8))
    assert len(frames) == 8
    assert [f.index for f in frames] == sample_frame_indices(info.frame_count, 8)
    assert all(f.image.shape == (1080, 1920, 3) for f in frames)
    assert frames[-1].time_s == pytest.approx(frames[-1].index / info.fps)


# --- variable frame rate, keyframes and non-reference frames -----------------------------

VFR_GAPS_MS = [20, 20, 20, 100, 100, 100]  # 50 fps, then 10 fps: a phone in the dark


def _encode_h264(path: Path, times_ms: list[int], gop: int, bframes: int) -> Path:
    """An H.264 clip whose frame i, shown at times_ms[i], is filled with grey (i * 4) % 250."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=50)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        stream.codec_context.gop_size = gop
        stream.codec_context.max_b_frames = bframes
        stream.codec_context.options = {
            "crf": "10",
            "sc_threshold": "0",
            "bf": str(bframes),
            "keyint_min": str(gop),
        }
        for i, t in enumerate(times_ms):
            frame = av.VideoFrame.from_ndarray(
                np.full((48, 64, 3), (i * 4) % 250, np.uint8), format="rgb24"
            )
            frame.pts, frame.time_base = t, Fraction(1, 1000)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def _reference_decode(path: Path) -> list[tuple[float, np.ndarray]]:
    """Every frame, decoded plainly, with its container time."""
    with av.open(str(path)) as container:
        frames = [(float(f.time), f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]
    first = frames[0][0]
    return [(t - first, image) for t, image in frames]


def test_variable_frame_rate_times_are_the_containers(tmp_path: Path) -> None:
    times_ms = list(np.cumsum([0] + VFR_GAPS_MS * 10))[:60]
    path = _encode_h264(tmp_path / "vfr.mp4", [int(t) for t in times_ms], gop=250, bframes=3)
    frames = list(read_frames(path, 60))
    assert [f.time_s for f in frames] == pytest.approx([t / 1000 for t in times_ms])
    # index / fps (the old way, fps as OpenCV reads it) is wrong by far
    fps = cv2.VideoCapture(str(path)).get(cv2.CAP_PROP_FPS)
    assert max(abs(f.index / fps - f.time_s) for f in frames) > 0.2  # two 100 ms frames
    # sampled evenly in time: as many from the 10 fps stretches as their share of time
    sampled = list(read_frames(path, 12))
    span_ms = round(probe_video(path).duration_s * 1000)  # to the end of the last frame
    # frame shown at each midpoint (2k + 1) * span / 24, compared exactly in integer ms
    expected = sorted(
        {
            max(i for i, t in enumerate(times_ms) if 24 * t <= (2 * k + 1) * span_ms)
            for k in range(12)
        }
    )
    assert [f.index for f in sampled] == expected


@pytest.mark.parametrize(("gop", "bframes"), [(5, 3), (250, 3), (7, 0)])
def test_sampled_frames_match_a_full_decode(tmp_path: Path, gop: int, bframes: int) -> None:
    """Skipping to keyframes and skipping unsampled non-reference frames change no pixel."""
    times_ms = [int(t) for t in np.cumsum([0] + VFR_GAPS_MS * 10)[:60]]
    path = _encode_h264(tmp_path / "clip.mp4", times_ms, gop=gop, bframes=bframes)
    reference = _reference_decode(path)
    for num_frames in (3, 8, 25):
        frames = list(read_frames(path, num_frames))
        assert len(frames) == len({f.index for f in frames}) > 0
        for frame in frames:
            time_s, image = reference[frame.index]
            assert frame.time_s == pytest.approx(time_s)
            assert np.array_equal(frame.image, image)


def test_packets_to_decode_start_at_the_keyframe_before_each_wanted_frame() -> None:
    # decode order of I P B B P B B | I P B B, presentation times in brackets
    pts = [0, 3, 1, 2, 6, 4, 5, 7, 10, 8, 9]
    key = [True, False, False, False, False, False, False, True, False, False, False]
    assert video.packets_to_decode(pts, key, {2}) == [True] * 4 + [False] * 7
    assert video.packets_to_decode(pts, key, {9}) == [False] * 7 + [True] * 4
    assert video.packets_to_decode(pts, key, {1, 8}) == (
        [True] * 3 + [False] * 4 + [True] * 3 + [False]
    )
    # an open GOP's leading frame (shown before its keyframe) goes back one keyframe
    assert video.packets_to_decode([0, 2, 1], [True, True, False], {1}) == [True] * 3
