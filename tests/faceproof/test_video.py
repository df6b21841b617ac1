"""Tests for faceproof.video: sampling indices, reading the right frames, bad videos."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

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


_VideoCapture = cv2.VideoCapture


class CaptureSpy:
    """Wraps cv2.VideoCapture to count seeks and decoded (retrieved) frames."""

    instances: ClassVar[list[CaptureSpy]] = []

    def __init__(self, path: str) -> None:
        self._capture = _VideoCapture(path)
        self.seeks = 0
        self.retrieves = 0
        CaptureSpy.instances.append(self)

    def set(self, prop: int, value: float) -> bool:
        self.seeks += prop == cv2.CAP_PROP_POS_FRAMES
        return self._capture.set(prop, value)

    def retrieve(self):
        self.retrieves += 1
        return self._capture.retrieve()

    def __getattr__(self, name: str):
        return getattr(self._capture, name)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> type[CaptureSpy]:
    CaptureSpy.instances = []
    monkeypatch.setattr(video.cv2, "VideoCapture", CaptureSpy)
    return CaptureSpy


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


def test_read_frames_reads_sequentially_and_decodes_each_frame_once(
    grey_video: Path, spy: type[CaptureSpy]
) -> None:
    frames = list(read_frames(grey_video, 8))
    _assert_right_frames(frames, [2, 7, 12, 17, 22, 27, 32, 37])
    reader = spy.instances[-1]
    assert (reader.seeks, reader.retrieves) == (0, 8)


def test_read_frames_seeks_across_long_gaps(grey_video: Path, spy: type[CaptureSpy]) -> None:
    frames = list(read_frames(str(grey_video), 4, seek_min_gap=6))
    _assert_right_frames(frames, [5, 15, 25, 35])
    reader = spy.instances[-1]
    assert (reader.seeks, reader.retrieves) == (3, 4)  # frame 5 is reached by reading on


def test_read_frames_seek_every_frame(grey_video: Path) -> None:
    frames = list(read_frames(grey_video, 13, seek_min_gap=1))
    _assert_right_frames(frames, sample_frame_indices(FRAMES, 13))


def test_read_frames_returns_every_frame_of_a_short_video(grey_video: Path) -> None:
    frames = list(read_frames(grey_video, 100))
    _assert_right_frames(frames, list(range(FRAMES)))


def test_read_frames_rejects_a_long_video_before_decoding(grey_video: Path) -> None:
    with pytest.raises(VideoError, match=r"4\.0 s.*limit is 3 s"):
        read_frames(grey_video, 4, max_duration_s=3)
    assert len(list(read_frames(grey_video, 4, max_duration_s=4.0))) == 4


@pytest.mark.parametrize("seek_min_gap", [1, 1000])
def test_read_frames_stops_where_the_stream_ends(
    grey_video: Path, monkeypatch: pytest.MonkeyPatch, seek_min_gap: int
) -> None:
    # Some containers claim more frames than they hold.
    claimed = VideoInfo(60, FPS, WIDTH, HEIGHT, 6.0)
    monkeypatch.setattr(video, "probe_video", lambda path: claimed)
    frames = list(read_frames(grey_video, 6, seek_min_gap=seek_min_gap))
    _assert_right_frames(frames, [5, 15, 25, 35])  # 45 and 55 do not exist


def test_read_frames_without_any_readable_frame(
    grey_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claimed = VideoInfo(1000, FPS, WIDTH, HEIGHT, 100.0)
    monkeypatch.setattr(video, "probe_video", lambda path: claimed)
    with pytest.raises(VideoError, match="No frame"):
        list(read_frames(grey_video, 1))


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
