"""The fast serving path gives the answers of the plain one: micro-batched concurrent calls
equal sequential ones, bf16 stays close to fp32, and PIL preprocessing matches OpenCV's."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from faceproof.bundle import load_bundle
from faceproof.predictor import Predictor

BF16_ATOL = 0.06
"""bf16 against fp32 on untrained models whose heads were scaled to spread their answers: the
scaling amplifies rounding as much as signal, so this bound is looser than on the shipped
models, whose per-source agreement `make fast-path-check` measures on real faces."""


def spread(bundle, crops: list[np.ndarray]):
    """Rescale an untrained bundle's head so its probabilities on `crops` spread over most of
    (0, 1) instead of sitting near 0.5, where no tolerance could be exceeded."""
    probs = Predictor([bundle], precision="fp32").score_crops(crops)[:, 0]
    logits = np.log(probs / (1 - probs))
    head = bundle.model.classifier
    with torch.no_grad():
        scale = 3.0 / max(float(np.std(logits)), 1e-6)
        head.weight *= scale
        head.bias.copy_((head.bias - float(np.mean(logits))) * scale)
    return bundle


@pytest.fixture
def bundles(tiny_bundle_dir):
    folder = tiny_bundle_dir("lite", input_size=48).parent
    tiny_bundle_dir("res", arch="resnet50", input_size=32, parent=folder)
    crops = images(6)
    return lambda: [
        spread(load_bundle(folder / "lite"), crops),
        spread(load_bundle(folder / "res"), crops),
    ]


def images(n: int) -> list[np.ndarray]:
    """Smooth, varied images (gradients and blobs), closer to photos than uniform noise."""
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        h, w = 60 + 7 * i, 80
        y, x = np.mgrid[0:h, 0:w] / max(h, w)
        base = np.stack(
            [
                np.sin(x * rng.uniform(2, 9) + rng.uniform(0, 6)),
                np.cos(y * rng.uniform(2, 9) + rng.uniform(0, 6)),
                np.sin((x + y) * rng.uniform(2, 9)),
            ],
            axis=-1,
        )
        out.append(np.clip(128 + 100 * base, 0, 255).astype(np.uint8))
    return out


def assert_close_but_able_to_differ(fast: np.ndarray, plain: np.ndarray, atol: float) -> None:
    """`fast` within `atol` of `plain` (crops x models), on probabilities spread widely enough
    that a wrong path would exceed `atol` (so the tolerance means something)."""
    assert (np.ptp(plain, axis=0) > 0.4).all(), f"probabilities too flat to test: {plain}"
    np.testing.assert_allclose(fast, plain, atol=atol)


def test_micro_batched_concurrent_calls_equal_sequential_ones(bundles):
    plain = Predictor(bundles(), precision="fp32")
    fast = Predictor(bundles(), precision="fp32", micro_batching=True, batch_wait_ms=50)
    seen: list[tuple[str, int]] = []
    fast.add_batch_listener(lambda model, faces, seconds: seen.append((model, faces)))
    inputs = images(8)
    expected = [
        plain.predict_image(im, whole_image=True).faces[0].model_probabilities for im in inputs
    ]
    got: list = [None] * len(inputs)
    barrier = threading.Barrier(len(inputs))

    def call(i):
        barrier.wait()
        result = fast.predict_image(inputs[i], whole_image=True)
        got[i] = result.faces[0].model_probabilities

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
    assert_close_but_able_to_differ(fast.score_crops(crops), plain.score_crops(crops), BF16_ATOL)
    # the same tolerance catches a real fault: colour channels swapped
    swapped = plain.score_crops([c[..., ::-1].copy() for c in crops])
    assert np.abs(swapped - plain.score_crops(crops)).max() > BF16_ATOL


def test_one_face_per_forward_gives_the_same_scores(bundles):
    batched = Predictor(bundles(), precision="fp32")
    one_by_one = Predictor(bundles(), precision="fp32", max_batch=1)
    sizes = []
    one_by_one.add_batch_listener(lambda model, faces, seconds: sizes.append(faces))
    crops = images(3)
    np.testing.assert_allclose(one_by_one.score_crops(crops), batched.score_crops(crops), atol=1e-5)
    assert sizes == [3, 3]  # listeners see each model's whole request, cut into forwards of 1


def test_pil_preprocessing_matches_opencv_closely(bundles):
    opencv = Predictor(bundles(), precision="fp32")
    pil = Predictor(bundles(), precision="fp32", preprocessing="pil")
    crops = images(3)
    assert_close_but_able_to_differ(pil.score_crops(crops), opencv.score_crops(crops), 0.05)
    with pytest.raises(ValueError, match="preprocessing"):
        Predictor(bundles(), preprocessing="magic")
