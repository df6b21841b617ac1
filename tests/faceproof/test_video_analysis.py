"""Tests for faceproof.video_analysis: scoring the faces of sampled video frames."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from faceproof.errors import VideoError
from faceproof.predictor import Predictor
from faceproof.verdict import Verdict
from faceproof.video import frame_scale, read_frames
from faceproof.video_analysis import analyze_video, frame_pixel_bound

SIDE, FRAMES, FPS = 256, 8, 4.0
LOGIT = 2.0
P_FAKE = 1 / (1 + math.exp(-LOGIT))


def _write_video(path: Path, frames: list[np.ndarray]) -> Path:
    # MJPG in .avi: opencv-python-headless writes it everywhere.
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (SIDE, SIDE))
    assert writer.isOpened()
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


@pytest.fixture(scope="module")
def face_video(astronaut: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> Path:
    face = cv2.resize(astronaut, (SIDE, SIDE), interpolation=cv2.INTER_AREA)
    path = tmp_path_factory.mktemp("video") / "face.avi"
    return _write_video(path, [face] * FRAMES)


@pytest.fixture(scope="module")
def blank_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("video") / "blank.avi"
    return _write_video(path, [np.full((SIDE, SIDE, 3), 90, np.uint8)] * FRAMES)


@pytest.fixture(scope="module")
def predictor(tiny_bundle_dir) -> Predictor:
    folder = tiny_bundle_dir("const", input_size=32, logit=LOGIT, threshold=0.5, low=0.4, high=0.6)
    return Predictor.from_dir(folder)


@pytest.fixture(scope="module")
def real_predictor(tiny_bundle_dir) -> Predictor:
    return Predictor.from_dir(tiny_bundle_dir("const_real", input_size=32, logit=-LOGIT))


def test_video_with_a_face(predictor: Predictor, face_video: Path) -> None:
    calls: list[tuple[float, str]] = []
    result = analyze_video(
        predictor,
        face_video,
        num_frames=4,
        keyframes=2,
        progress=lambda done, stage: calls.append((done, stage)),
    )
    assert result.frames_analyzed == 4
    assert result.face_detected
    assert result.frames_with_faces == 4
    assert len(result.timeline) == 4
    assert [t.index for t in result.timeline] == [1, 3, 5, 7]
    assert all(t.face_count == 1 for t in result.timeline)
    assert all(t.fake_probability == pytest.approx(P_FAKE, abs=1e-6) for t in result.timeline)
    assert all(t.verdict is Verdict.FAKE for t in result.timeline)
    assert result.timeline[1].time_s == pytest.approx(3 / FPS)
    assert result.fake_probability == pytest.approx(P_FAKE, abs=1e-6)
    assert result.fake_percentage == 100.0
    assert result.verdict is Verdict.FAKE
    assert result.confidence == pytest.approx(P_FAKE, abs=1e-6)
    assert result.models_used == ["const"]
    assert result.threshold == pytest.approx(0.5)
    assert "4 of 4 sampled frames show a face" in result.reason

    assert len(result.keyframes) == 2
    for key in result.keyframes:
        assert key.crop.dtype == np.uint8 and key.crop.ndim == 3
        assert key.crop.shape[0] == key.crop.shape[1] > 20
        assert key.box["width"] > 20
        assert key.fake_probability == pytest.approx(P_FAKE, abs=1e-6)
    assert [k.index for k in result.keyframes] == sorted(k.index for k in result.keyframes)

    done = [d for d, _ in calls]
    assert done[0] == 0.0
    assert done[-1] == 1.0
    assert all(b >= a for a, b in itertools.pairwise(done))
    assert all(isinstance(stage, str) and stage for _, stage in calls)


def test_a_real_verdict_gives_zero_percent(real_predictor: Predictor, face_video: Path) -> None:
    result = analyze_video(real_predictor, face_video, num_frames=3)
    assert result.frames_analyzed == 3
    assert result.fake_percentage == 0.0
    assert result.verdict is Verdict.REAL
    assert result.fake_probability == pytest.approx(1 - P_FAKE, abs=1e-6)


def test_video_without_faces_gives_no_verdict(predictor: Predictor, blank_video: Path) -> None:
    result = analyze_video(predictor, blank_video, num_frames=3)
    assert (result.verdict, result.fake_probability, result.confidence) == (
        Verdict.NO_FACE,
        None,
        None,
    )
    assert result.frames_analyzed == 3 and result.frames_with_faces == 0
    assert [t.fake_probability for t in result.timeline] == [None] * 3
    assert result.keyframes == []
    assert "No face was found" in result.reason and "3 frames sampled" in result.reason


def test_video_without_faces_whole_frames(predictor: Predictor, blank_video: Path) -> None:
    result = analyze_video(predictor, blank_video, num_frames=3, whole_frames=True)
    assert result.frames_analyzed == 3
    assert not result.face_detected
    assert result.frames_with_faces == 0
    assert all(t.face_count == 0 for t in result.timeline)
    assert "no face found" in result.reason
    # whole frames are still scored
    assert result.fake_probability == pytest.approx(P_FAKE, abs=1e-6)
    # the whole frame is scored as it is: no margin padding around it
    assert result.keyframes
    assert all(k.crop.shape[:2] == (SIDE, SIDE) for k in result.keyframes)
    assert all(k.box["width"] == k.box["height"] == SIDE for k in result.keyframes)


def test_more_frames_than_the_video_has(predictor: Predictor, face_video: Path) -> None:
    result = analyze_video(predictor, face_video, num_frames=50)
    assert result.frames_analyzed == FRAMES


def test_not_a_video(predictor: Predictor, tmp_path: Path) -> None:
    path = tmp_path / "fake.avi"
    path.write_bytes(b"this is not a video at all" * 100)
    with pytest.raises(VideoError):
        analyze_video(predictor, path, num_frames=4)


def test_missing_video(predictor: Predictor, tmp_path: Path) -> None:
    with pytest.raises(VideoError):
        analyze_video(predictor, tmp_path / "missing.mp4", num_frames=4)


def test_large_frames_are_downscaled_as_they_are_decoded(
    predictor: Predictor, astronaut: np.ndarray, tmp_path: Path
) -> None:
    """A 4K clip keeps no frame above the bound, and the result says it was downscaled."""
    w, h = 3840, 2160
    frame = np.full((h, w, 3), 90, np.uint8)
    frame[540:1620, 1380:2460] = cv2.resize(astronaut, (1080, 1080))
    path = tmp_path / "4k.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (w, h))
    for _ in range(3):
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()

    kept = [f.image.shape for f in read_frames(path, 3, max_pixels=1920 * 1080)]
    assert kept == [(1080, 1920, 3)] * 3
    assert [f.image.shape for f in read_frames(path, 1)] == [(h, w, 3)]

    result = analyze_video(
        predictor, path, num_frames=3, max_frame_pixels=1920 * 1080, max_total_pixels=3 * 640 * 360
    )
    assert result.extras["downscaled"] == {
        "from": [w, h],
        "to": [640, 360],
        "max_frame_pixels": 640 * 360,
    }
    assert result.frames_analyzed == 3


def test_frame_pixel_bound() -> None:
    assert frame_pixel_bound(32, 1920 * 1080, 32 * 1920 * 1080) == 1920 * 1080
    assert frame_pixel_bound(128, 1920 * 1080, 32 * 1920 * 1080) == 1920 * 1080 // 4
    assert frame_pixel_bound(8, None, None) is None
    assert frame_scale(3840, 2160, 1920 * 1080) == pytest.approx(0.5)
    assert frame_scale(640, 480, 1920 * 1080) == 1.0
