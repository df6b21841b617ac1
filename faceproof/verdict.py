"""From a calibrated FAKE probability to a verdict: REAL, UNCERTAIN or FAKE; and NO_FACE,
the outcome when there is no face to judge (the models were trained on faces only)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class Verdict(StrEnum):
    REAL = "REAL"
    UNCERTAIN = "UNCERTAIN"
    FAKE = "FAKE"
    NO_FACE = "NO_FACE"  # nothing the models can judge: no probability, no verdict


VERDICT_LEVELS = (Verdict.REAL, Verdict.UNCERTAIN, Verdict.FAKE)
"""The verdicts of a probability, from low to high (`DecisionRule.levels`)."""
_LEVEL_VALUES = np.array([v.value for v in VERDICT_LEVELS])


@dataclass(frozen=True)
class DecisionRule:
    """FAKE at or above `high`, REAL below `low`, UNCERTAIN in between.

    `threshold` (inside the band) is the plain yes/no cut the band is built around. The one
    decision rule of the project: a bundle's `model.json` and `ensemble.json` store it as
    `threshold` and `abstain_band` (`faceproof.bundle.rule_fields`); the service decides one
    probability with `decide`, evaluation a whole array with `levels`, `verdicts`, `decided`
    and `predictions` (the same comparisons).
    """

    threshold: float = 0.5
    low: float = 0.5
    high: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.low <= self.threshold <= self.high <= 1.0:
            raise ValueError(f"need 0 <= low <= threshold <= high <= 1, got {self}")

    @classmethod
    def from_config(cls, config) -> DecisionRule:
        """From a `BundleConfig`."""
        return cls(config.threshold, config.abstain_band.low, config.abstain_band.high)

    def decide(self, fake_probability: float) -> Verdict:
        if fake_probability >= self.high:
            return Verdict.FAKE
        if fake_probability < self.low:
            return Verdict.REAL
        return Verdict.UNCERTAIN

    def levels(self, fake_probabilities) -> np.ndarray:
        """`decide` on every probability of an array, as its place in `VERDICT_LEVELS`:
        0 (REAL), 1 (UNCERTAIN) or 2 (FAKE). The rule is monotone, so levels two apart are a
        reversal (REAL <-> FAKE)."""
        p = np.asarray(fake_probabilities, dtype=np.float64)  # as `decide` compares a float
        return np.where(p >= self.high, 2, np.where(p < self.low, 0, 1)).astype(np.int8)

    def verdicts(self, fake_probabilities) -> np.ndarray:
        """`decide` on every probability of an array: an array of `Verdict` values (str)."""
        return _LEVEL_VALUES[self.levels(fake_probabilities)]

    def decided(self, fake_probabilities) -> np.ndarray:
        """True where the rule gives a verdict (REAL or FAKE), False in the abstain band."""
        return self.levels(fake_probabilities) != 1

    def predictions(self, fake_probabilities) -> np.ndarray:
        """The plain yes/no call at `threshold`: 1 (FAKE) or 0 (REAL) per probability."""
        p = np.asarray(fake_probabilities, dtype=np.float64)
        return (p >= self.threshold).astype(np.int64)

    def confidence(self, fake_probability: float) -> float:
        """Probability of the class the score leans to (of FAKE for FAKE, REAL for REAL)."""
        return max(fake_probability, 1.0 - fake_probability)

    def explain(self, fake_probability: float) -> str:
        """One sentence, in plain words, on why the verdict is what it is."""
        verdict = self.decide(fake_probability)
        if verdict is Verdict.UNCERTAIN:
            return (
                f"fake probability {fake_probability:.1%} is between {self.low:.1%} and "
                f"{self.high:.1%}: too close to call, since faces scored there are too "
                f"often judged wrong"
            )
        if verdict is Verdict.FAKE:
            return (
                f"fake probability {fake_probability:.1%} is at or above {self.high:.1%}, "
                f"where the models call a face fake"
            )
        return (
            f"fake probability {fake_probability:.1%} is below {self.low:.1%}, "
            f"where the models call a face real"
        )
