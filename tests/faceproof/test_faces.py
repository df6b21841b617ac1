"""Tests for faceproof.faces: detectors on a real photo, box mapping, crops, the factory."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data

from faceproof.faces import (
    Face,
    HaarFaceDetector,
    available_face_detectors,
    base,
    create_face_detector,
    crop_face,
    whole_image_face,
)

# The astronaut's face in skimage's 512x512 photo, as (x, y, w, h), measured with both
# detectors (Haar: 177, 66, 95, 95; YuNet: 178, 63, 90, 113).
ASTRONAUT_FACE = (177, 64, 93, 105)
# A crop well inside the face, so it fills the frame: Haar misses it unless padded.
TIGHT_CROP = (slice(75, 155), slice(185, 265))

YUNET_DIR = Path(__file__).resolve().parents[2] / "../shared/models/yunet"


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    return inter / (aw * ah + bw * bh - inter)


def _scaled(box: tuple[int, int, int, int], factor: float) -> tuple[int, int, int, int]:
    return tuple(round(v * factor) for v in box)  # type: ignore[return-value]


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return data.astronaut()


@pytest.fixture(scope="module")
def tight_crop(astronaut: np.ndarray) -> np.ndarray:
    return cv2.resize(astronaut[TIGHT_CROP], (224, 224), interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def haar() -> HaarFaceDetector:
    return create_face_detector("haar")


@pytest.fixture(scope="module")
def yunet_path() -> Path:
    models = sorted(YUNET_DIR.glob("*.onnx"))
    if not models:
        pytest.skip(f"no YuNet model in {YUNET_DIR.resolve()}")
    return models[0]


# --- Haar ---------------------------------------------------------------------------------


def test_haar_finds_the_astronaut(haar: HaarFaceDetector, astronaut: np.ndarray) -> None:
    faces = haar.detect(astronaut)
    assert len(faces) == 1
    assert _iou(faces[0].box, ASTRONAUT_FACE) > 0.7
    assert 0.5 < faces[0].score < 1.0
    assert faces[0].landmarks is None


def test_haar_finds_a_face_filling_a_tight_crop(
    haar: HaarFaceDetector, tight_crop: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    faces = haar.detect(tight_crop)
    assert len(faces) >= 1
    x, y, w, h = faces[0].box
    assert x >= 0 and y >= 0 and x + w <= 224 and y + h <= 224
    assert w * h > 0.6 * 224 * 224
    # It is the padded retry that finds it.
    monkeypatch.setattr(base, "SMALL_IMAGE_SIDE", 0)
    assert haar.detect(tight_crop) == []


def _searches(monkeypatch: pytest.MonkeyPatch, detector: HaarFaceDetector) -> list[int | None]:
    """Records the smallest face side of each cascade search `detector` runs."""
    calls: list[int | None] = []
    work = detector._detect_work

    def recorded(grey, scale, min_size=None):
        calls.append(min_size)
        return work(grey, scale, min_size)

    monkeypatch.setattr(detector, "_detect_work", recorded)
    return calls


def test_haar_crop_first_finds_a_crop_face_without_the_small_scales(
    tight_crop: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = create_face_detector("haar", crop_first=False).detect(tight_crop)
    first = create_face_detector("haar")
    calls = _searches(monkeypatch, first)
    faces = first.detect(tight_crop)
    assert calls == [112]  # half the crop's side, one search: the small scales are skipped
    assert len(faces) == 1 and len(full) >= 1
    assert _iou(faces[0].box, full[0].box) > 0.9


def test_haar_crop_first_falls_back_to_the_full_search(
    astronaut: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = create_face_detector("haar")
    calls = _searches(monkeypatch, first)
    faces = first.detect(astronaut)  # 512 px, a face of a fifth of its side
    assert calls == [256, None]
    assert len(faces) == 1 and _iou(faces[0].box, ASTRONAUT_FACE) > 0.7


def test_haar_crop_first_leaves_large_images_to_the_full_search(
    astronaut: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = create_face_detector("haar")
    calls = _searches(monkeypatch, first)
    large = cv2.resize(astronaut, (1024, 1024), interpolation=cv2.INTER_CUBIC)
    assert first.detect(large)
    assert calls == [None]


def test_only_haar_takes_crop_first(dlib_detector) -> None:
    assert create_face_detector("haar").crop_first is True
    assert create_face_detector("haar", crop_first=False).crop_first is False
    assert not hasattr(create_face_detector("dlib", crop_first=False), "crop_first")


@pytest.mark.parametrize("value", [0, 128, 255])
def test_blank_image_has_no_face(haar: HaarFaceDetector, value: int) -> None:
    assert haar.detect(np.full((300, 400, 3), value, np.uint8)) == []


def test_haar_works_on_a_downscaled_copy_of_large_images(
    haar: HaarFaceDetector, astronaut: np.ndarray
) -> None:
    large = cv2.resize(astronaut, (2048, 2048), interpolation=cv2.INTER_CUBIC)
    faces = haar.detect(large)
    assert faces, "no face in the upscaled photo"
    assert _iou(faces[0].box, _scaled(ASTRONAUT_FACE, 4)) > 0.7


def test_haar_min_size_is_in_original_pixels(astronaut: np.ndarray) -> None:
    assert HaarFaceDetector(min_size=150).detect(astronaut) == []


def test_detectors_reject_non_rgb_input(haar: HaarFaceDetector) -> None:
    with pytest.raises(ValueError, match="RGB uint8"):
        haar.detect(np.zeros((64, 64), np.uint8))
    with pytest.raises(ValueError, match="RGB uint8"):
        haar.detect(np.zeros((64, 64, 3), np.float32))


# --- dlib (HOG) ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dlib_detector():
    pytest.importorskip("dlib")
    return create_face_detector("dlib")


def test_dlib_finds_the_astronaut(dlib_detector, astronaut: np.ndarray) -> None:
    assert dlib_detector.name == "dlib"
    faces = dlib_detector.detect(astronaut)
    # best first; at dlib's own threshold (margin 0) a weak second box lands on the suit
    assert _iou(faces[0].box, ASTRONAUT_FACE) > 0.5
    assert 0.5 < faces[0].score < 1.0  # a positive SVM margin, mapped into 0..1
    assert faces[0].landmarks is None
    assert all(f.score < faces[0].score for f in faces[1:])


def test_dlib_maps_boxes_back_from_the_downscaled_copy(dlib_detector, astronaut) -> None:
    big = cv2.resize(astronaut, (2048, 2048), interpolation=cv2.INTER_CUBIC)
    small, large = dlib_detector.detect(astronaut)[0], dlib_detector.detect(big)[0]
    assert _iou(large.box, _scaled(small.box, 4.0)) > 0.8


def test_dlib_finds_a_face_crop_with_its_outline_but_not_a_crop_inside_it(
    dlib_detector, astronaut: np.ndarray, tight_crop: np.ndarray
) -> None:
    # HOG looks at the face's outline: a crop like the training sources' (face and a little
    # around it) is found, a crop well inside the face (which Haar finds, padded) is not
    crop = cv2.resize(astronaut[40:200, 150:300], (224, 224), interpolation=cv2.INTER_AREA)
    faces = dlib_detector.detect(crop)
    assert len(faces) >= 1 and _iou(faces[0].box, (25, 34, 150, 150)) > 0.4
    assert dlib_detector.detect(tight_crop) == []


def test_dlib_upsampling_finds_faces_below_its_window(astronaut: np.ndarray) -> None:
    pytest.importorskip("dlib")
    # the face scaled to ~55 px in a 700 px scene: under the 80 px window, so only found
    # after upsampling; min_size is in the original image's pixels
    scene = np.full((700, 700, 3), 90, np.uint8)
    face = cv2.resize(astronaut[40:200, 150:300], (85, 90), interpolation=cv2.INTER_AREA)
    scene[300:390, 300:385] = face
    assert create_face_detector("dlib", upsample=0).detect(scene) == []
    found = create_face_detector("dlib", upsample=1).detect(scene)
    assert len(found) == 1
    assert create_face_detector("dlib", upsample=1, min_size=200).detect(scene) == []


@pytest.mark.parametrize("value", [0, 255])
def test_dlib_blank_image_has_no_face(dlib_detector, value: int) -> None:
    assert dlib_detector.detect(np.full((300, 400, 3), value, np.uint8)) == []


def test_dlib_is_reported_unavailable_without_dlib(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_dlib(name, *args, **kwargs):
        if name == "dlib":
            raise ImportError("No module named 'dlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dlib)
    with pytest.raises(ImportError, match="pip install dlib-bin"):
        create_face_detector("dlib")
    assert available_face_detectors()["dlib"].startswith("unavailable: ")


# --- YuNet --------------------------------------------------------------------------------


def test_yunet_finds_the_astronaut_with_landmarks(yunet_path: Path, astronaut) -> None:
    detector = create_face_detector("yunet", model_path=yunet_path)
    assert detector.name == "yunet"
    faces = detector.detect(astronaut)
    assert len(faces) == 1
    face = faces[0]
    assert _iou(face.box, ASTRONAUT_FACE) > 0.7
    assert 0.6 <= face.score <= 1.0
    assert face.landmarks is not None and len(face.landmarks) == 5
    for px, py in face.landmarks:
        assert face.x <= px <= face.x + face.width and face.y <= py <= face.y + face.height
    (rx, ry), (lx, ly) = face.landmarks[:2]
    assert rx < lx and abs(ry - ly) < 15  # right eye on the image's left, eyes level


def test_yunet_maps_boxes_and_landmarks_back_from_the_downscaled_copy(
    yunet_path: Path, astronaut: np.ndarray
) -> None:
    detector = create_face_detector("yunet", model_path=yunet_path)
    small = detector.detect(astronaut)[0]
    large = cv2.resize(astronaut, (2048, 2048), interpolation=cv2.INTER_CUBIC)
    faces = detector.detect(large)
    assert len(faces) == 1
    assert _iou(faces[0].box, _scaled(small.box, 4)) > 0.8
    for (sx, sy), (bx, by) in zip(small.landmarks, faces[0].landmarks, strict=True):
        # Detection runs at twice the original's size here, so points move a little.
        assert abs(bx - 4 * sx) < 20 and abs(by - 4 * sy) < 20


def test_yunet_finds_a_face_filling_a_tight_crop(yunet_path: Path, tight_crop) -> None:
    faces = create_face_detector("yunet", model_path=yunet_path).detect(tight_crop)
    assert faces and faces[0].width * faces[0].height > 0.5 * 224 * 224


def test_yunet_blank_image_and_missing_model(yunet_path: Path, tmp_path: Path) -> None:
    detector = create_face_detector("yunet", model_path=yunet_path)
    assert detector.detect(np.full((240, 320, 3), 128, np.uint8)) == []
    with pytest.raises(FileNotFoundError, match=r"missing\.onnx"):
        create_face_detector("yunet", model_path=tmp_path / "missing.onnx")


# --- mapping boxes back (detector-independent) --------------------------------------------


def test_boxes_are_mapped_back_clipped_dropped_and_sorted() -> None:
    seen = {}

    def fake_detect(work: np.ndarray, scale: float) -> list[Face]:
        seen["shape"], seen["scale"] = work.shape, scale
        return [
            Face(-10, -10, 50, 50, 0.2),  # partly outside: clipped
            Face(100, 50, 20, 30, 0.9, landmarks=((110.0, 60.0),)),
            Face(600, 600, 10, 10, 0.5),  # wholly outside: dropped
        ]

    image = np.zeros((1000, 2000, 3), np.uint8)
    faces = base.detect_in_frame(image, fake_detect, max_side=500)
    assert seen == {"shape": (250, 500, 3), "scale": 0.25}
    assert [f.box for f in faces] == [(400, 200, 80, 120), (0, 0, 160, 160)]
    assert faces[0].landmarks == ((440.0, 240.0),)


def test_small_images_are_searched_padded_in_one_pass_and_mapped_back() -> None:
    calls = []

    def fake_detect(work: np.ndarray, scale: float) -> list[Face]:
        calls.append(work.shape)
        return [Face(30, 20, 60, 50, 0.7)]  # in padded coordinates, over the top border

    faces = base.detect_in_frame(np.zeros((80, 100, 3), np.uint8), fake_detect)
    assert calls == [(130, 150, 3)]  # 25 px = 25 % of 100 on each side
    assert [f.box for f in faces] == [(5, 0, 60, 45)]
    calls.clear()
    base.detect_in_frame(np.zeros((80, 100), np.uint8), fake_detect)  # grey works the same
    assert calls == [(130, 150)]


def test_face_box_and_dict() -> None:
    face = Face(1, 2, 3, 4, 0.5, landmarks=((1.5, 2.5),))
    assert face.box == (1, 2, 3, 4)
    as_dict = face.to_dict()
    assert as_dict == {
        "x": 1,
        "y": 2,
        "width": 3,
        "height": 4,
        "score": 0.5,
        "landmarks": [[1.5, 2.5]],
    }
    json.dumps(as_dict)
    assert Face(0, 0, 1, 1, 0.0).to_dict()["landmarks"] is None


# --- crops --------------------------------------------------------------------------------


def test_crop_is_a_square_centred_on_the_face(astronaut: np.ndarray) -> None:
    face = Face(*ASTRONAUT_FACE, score=0.9)
    crop = crop_face(astronaut, face, margin=0.3)
    side = round(105 * 1.3)
    assert crop.shape == (side, side, 3)
    assert crop.dtype == np.uint8 and crop.flags.c_contiguous
    centre_x, centre_y = 177 + 93 / 2, 64 + 105 / 2
    left, top = round(centre_x - side / 2), round(centre_y - side / 2)
    np.testing.assert_array_equal(crop, astronaut[top : top + side, left : left + side])


def test_crop_without_margin_of_a_square_face_is_the_box(astronaut: np.ndarray) -> None:
    crop = crop_face(astronaut, Face(100, 200, 50, 50, 1.0), margin=0.0)
    np.testing.assert_array_equal(crop, astronaut[200:250, 100:150])


@pytest.mark.parametrize(
    "face",
    [Face(0, 0, 40, 30, 1.0), Face(470, 480, 42, 32, 1.0), Face(0, 200, 10, 100, 1.0)],
    ids=["top-left", "bottom-right", "left-edge"],
)
def test_crop_at_the_border_is_padded_square(astronaut: np.ndarray, face: Face) -> None:
    crop = crop_face(astronaut, face, margin=0.5)
    side = round(max(face.width, face.height) * 1.5)
    assert crop.shape == (side, side, 3)


def test_crop_padding_replicates_the_edge() -> None:
    image = np.arange(10 * 10 * 3, dtype=np.uint8).reshape(10, 10, 3)
    crop = crop_face(image, Face(0, 0, 4, 4, 1.0), margin=1.0)  # 8x8 around (2, 2)
    assert crop.shape == (8, 8, 3)
    np.testing.assert_array_equal(crop[2:, 2:], image[:6, :6])
    np.testing.assert_array_equal(crop[:2, 2:], np.broadcast_to(image[0, :6], (2, 6, 3)))
    np.testing.assert_array_equal(crop[:3, :3], np.broadcast_to(image[0, 0], (3, 3, 3)))


def test_crop_rejects_bad_boxes(astronaut: np.ndarray) -> None:
    with pytest.raises(ValueError, match="misses"):
        crop_face(astronaut, Face(600, 600, 10, 10, 1.0))
    with pytest.raises(ValueError, match="empty"):
        crop_face(astronaut, Face(10, 10, 0, 10, 1.0))
    with pytest.raises(ValueError, match="margin"):
        crop_face(astronaut, Face(10, 10, 10, 10, 1.0), margin=-0.1)


def test_whole_image_face_covers_the_image() -> None:
    image = np.zeros((30, 40, 3), np.uint8)
    face = whole_image_face(image)
    assert face.box == (0, 0, 40, 30) and face.score == 0.0
    assert crop_face(image, face, margin=0.0).shape == (40, 40, 3)


# --- factory ------------------------------------------------------------------------------


def test_create_face_detector_defaults_to_haar() -> None:
    detector = create_face_detector(min_size=60, min_neighbors=3)
    assert detector.name == "haar"
    assert (detector.min_size, detector.min_neighbors) == (60, 3)


def test_unknown_detector_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"'mtcnn'.*haar, yunet"):
        create_face_detector("mtcnn")


def test_yunet_needs_a_model_path() -> None:
    with pytest.raises(ValueError, match="model_path"):
        create_face_detector("yunet")


def test_available_face_detectors(tmp_path: Path) -> None:
    assert available_face_detectors() == {
        "haar": "ok",
        "yunet": "no model path configured",
        "dlib": "ok",
    }
    missing = available_face_detectors(tmp_path / "missing.onnx")
    assert missing["haar"] == "ok"
    assert missing["yunet"].startswith("unavailable:") and "missing.onnx" in missing["yunet"]


def test_available_face_detectors_with_the_model(yunet_path: Path) -> None:
    assert available_face_detectors(yunet_path) == {"haar": "ok", "yunet": "ok", "dlib": "ok"}


def test_eye_check_drops_a_cushion_haar_takes_for_a_face() -> None:
    """In this real DFDC clip Haar scores a striped cushion (lower middle) as high as the face;
    the eye check keeps only the face in most frames."""
    from faceproof.faces import create_face_detector
    from faceproof.video import read_frames

    video = Path(__file__).resolve().parents[3] / "shared/data/videos/dfdc_lynaeydofd.mp4"
    if not video.is_file():
        pytest.skip("DFDC videos not present")
    frames = list(read_frames(video, 8))
    plain = create_face_detector("haar", verify_eyes=False)
    checked = create_face_detector("haar")

    def cushions(detector) -> int:
        return sum(any(f.y > 600 for f in detector.detect(fr.image)) for fr in frames)

    assert cushions(plain) >= 6
    assert cushions(checked) <= 2
    assert all(checked.detect(fr.image) for fr in frames)
