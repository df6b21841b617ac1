"""The fast serving path gives the answers of the plain one: micro-batched concurrent calls
equal sequential ones, bf16 stays close to fp32, and PIL preprocessing matches OpenCV's."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from faceproof.bundle import load_bundle
from faceproof.predictor import Predictor


@pytest.fixture
def bundles(tiny_bundle_dir):
    folder = tiny_bundle_dir("lite", input_size=48).parent
    tiny_bundle_dir("res", arch="resnet50", input_size=32, parent=folder)
    return lambda: [load_bundle(folder / "lite"), load_bundle(folder / "res")]


def images(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, (60 + 7 * i, 80, 3), dtype=np.uint8) for i in range(n)]


def test_micro_batched_concurrent_calls_equal_sequential_ones(bundles):
    plain = Predictor(bundles(), precision="fp32")
    fast = Predictor(bundles(), precision="fp32", micro_batching=True, batch_wait_ms=50)
    seen: list[tuple[str, int]] = []
    fast.add_batch_listener(lambda model, faces, seconds: seen.append((model, faces)))
    inputs = images(8)
    expected = [plain.predict_image(im).faces[0].model_probabilities for im in inputs]
    got: list = [None] * len(inputs)
    barrier = threading.Barrier(len(inputs))

    def call(i):
        barrier.wait()
        got[i] = fast.predict_image(inputs[i]).faces[0].model_probabilities

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    fast.close()
    for e, g in zip(expected, got, strict=True):
        assert g == pytest.approx(e, abs=1e-5)
    assert {m for m, _ in seen} == {"lite", "res"}
    assert max(n for _, n in seen) > 1, f"never batched: {seen}"
    assert fast.queue_depth() == 0


def test_bf16_close_to_fp32_and_reported(bundles):
    plain = Predictor(bundles(), precision="fp32")
    fast = Predictor(bundles(), precision="bf16")
    assert fast.precision == {"lite": "bf16", "res": "bf16"}
    crops = images(4)
    np.testing.assert_allclose(fast.score_crops(crops), plain.score_crops(crops), atol=0.03)


def test_one_face_per_forward_gives_the_same_scores(bundles):
    batched = Predictor(bundles(), precision="fp32")
    one_by_one = Predictor(bundles(), precision="fp32", max_batch=1)
    sizes = []
    one_by_one.add_batch_listener(lambda model, faces, seconds: sizes.append(faces))
    crops = images(3)
    np.testing.assert_allclose(one_by_one.score_crops(crops), batched.score_crops(crops),
                               atol=1e-5)
    assert sizes == [3, 3]  # listeners see each model's whole request, cut into forwards of 1


def test_pil_preprocessing_matches_opencv_closely(bundles):
    opencv = Predictor(bundles(), precision="fp32")
    pil = Predictor(bundles(), precision="fp32", preprocessing="pil")
    crops = images(3)
    np.testing.assert_allclose(pil.score_crops(crops), opencv.score_crops(crops), atol=0.05)
    with pytest.raises(ValueError, match="preprocessing"):
        Predictor(bundles(), preprocessing="magic")
