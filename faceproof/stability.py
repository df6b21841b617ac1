"""How easily a verdict moves: the benign changes a file meets on its way to a newsroom, and a
face's fake probability re-scored under a few of them.

The changes work on the uint8 RGB face crop the models score (before preprocessing), so the
face detector does not run again. Training's robustness report (`training.robustness`)
measures the same changes over a validation sample; a service analysis with `stability=true`
re-scores each face under `STABILITY_CHANGES` and reports the range of its fake probability.
A face is *unstable* when that range crosses a cut of the rule that decided, i.e. when one of
the changes alone would have given it another verdict.

Each change is deterministic for a given crop (the noise draws from a generator seeded by the
change), so the same file always gets the same range.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np

from faceproof.verdict import DecisionRule, Verdict

# --- benign changes: uint8 RGB HWC in, same shape and dtype out ------------------------------


def jpeg(image: np.ndarray, rng: np.random.Generator, quality: int) -> np.ndarray:
    """Re-compress as JPEG at `quality` (OpenCV's codec, which takes BGR)."""
    ok, buf = cv2.imencode(
        ".jpg", np.ascontiguousarray(image[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, int(quality)]
    )
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if decoded is None:
        raise RuntimeError("JPEG decoding failed")
    return np.ascontiguousarray(decoded[..., ::-1])


def rescale(image: np.ndarray, rng: np.random.Generator, factor: float) -> np.ndarray:
    """Down-scale by `factor` (area averaging) and back up (bilinear), as a resized upload."""
    h, w = image.shape[:2]
    small = cv2.resize(
        image, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA
    )
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def blur(image: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigma)


def noise(image: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Additive Gaussian noise of `sigma` grey levels (of 255), rounded and clipped."""
    noisy = image.astype(np.float32) + rng.normal(0.0, sigma, size=image.shape)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


BenignChange = Callable[[np.ndarray, np.random.Generator], np.ndarray]

BENIGN_CHANGES: dict[str, tuple[str, BenignChange]] = {
    "jpeg_90": ("JPEG quality 90", partial(jpeg, quality=90)),
    "jpeg_70": ("JPEG quality 70", partial(jpeg, quality=70)),
    "jpeg_50": ("JPEG quality 50", partial(jpeg, quality=50)),
    "downscale_0.5": ("down-scaled to 0.5x and back", partial(rescale, factor=0.5)),
    "blur_1": ("Gaussian blur, sigma 1 px", partial(blur, sigma=1.0)),
    "noise_5": ("Gaussian noise, sigma 5/255", partial(noise, sigma=5.0)),
}
"""Name -> (what it is, the change)."""

STABILITY_CHANGES = ("jpeg_50", "downscale_0.5", "noise_5")
"""What a service analysis re-scores each face under: the three changes that moved the most
verdicts in the default bundles' robustness reports (re-compression, a resized upload, noise)."""

SEED = 20261203


def changed_crops(crop: np.ndarray, changes: Sequence[str] = STABILITY_CHANGES) -> list[np.ndarray]:
    """`crop` under each of `changes`, in their order; the same crop always gives the same
    pixels."""
    return [
        BENIGN_CHANGES[name][1](crop, np.random.default_rng([SEED, i]))
        for i, name in enumerate(changes)
    ]


# --- a face's range -------------------------------------------------------------------------


@dataclass(frozen=True)
class FaceStability:
    """A face's fake probability as scored and under each benign change."""

    fake_probability: float  # as scored
    changed: dict[str, float]  # change name -> fake probability under it
    low: float  # lowest of all of them
    high: float  # highest
    verdicts: tuple[Verdict, ...]  # the verdicts the range spans, REAL to FAKE order
    unstable: bool  # the range crosses a cut of the rule

    def to_dict(self, subject: str = "this face") -> dict:
        return {
            "summary": describe(self, subject),
            "low": round(self.low, 6),
            "high": round(self.high, 6),
            "changes": {k: round(v, 6) for k, v in self.changed.items()},
            "verdicts": [v.value for v in self.verdicts],
            "unstable": self.unstable,
        }


VERDICT_ORDER = (Verdict.REAL, Verdict.UNCERTAIN, Verdict.FAKE)


def face_stability(
    fake_probability: float, changed: dict[str, float], rule: DecisionRule
) -> FaceStability:
    """The range of one face's fake probability, and whether the rule decides it differently
    somewhere in that range (the rule is monotone, so its two ends tell)."""
    values = [fake_probability, *changed.values()]
    low, high = min(values), max(values)
    first, last = (VERDICT_ORDER.index(rule.decide(p)) for p in (low, high))
    spanned = VERDICT_ORDER[first : last + 1]
    return FaceStability(
        fake_probability=fake_probability,
        changed=dict(changed),
        low=low,
        high=high,
        verdicts=spanned,
        unstable=len(spanned) > 1,
    )


def describe(stability: FaceStability, subject: str = "this face") -> str:
    """One sentence in plain words."""
    low, high = round(stability.low * 100), round(stability.high * 100)
    if not stability.unstable:
        return (
            f"Stable: re-compressed, resized or with noise added, {subject} still scores "
            f"{low}-{high} % likely fake, with the same verdict."
        )
    spans = " to ".join(v.value for v in (stability.verdicts[0], stability.verdicts[-1]))
    return (
        f"Unstable: re-compressed, resized or with noise added, {subject} scores "
        f"{low}-{high} % likely fake, which spans {spans}: small changes to the file "
        f"change the verdict."
    )
