"""The Predictor: faces in, calibrated scores and verdicts out, for one or more bundles.

image -> faces (all, best first; none found: the whole image, and we say so) -> per bundle:
crop with the bundle's margin, preprocess with its config, logit, temperature -> optional
test-time augmentation -> ensemble mean -> verdict with abstain band -> optional Grad-CAM.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from faceproof.batcher import BatchListener, MicroBatcher, run_in_chunks
from faceproof.bundle import Bundle, find_bundles, load_bundle
from faceproof.decode import DEFAULT_MAX_PIXELS, decode_image, load_image
from faceproof.ensemble import (
    EnsembleConfig,
    ensemble_probability,
    ensemble_rule,
    member_weights,
    read_ensemble,
)
from faceproof.errors import BundleError, UnknownModelError
from faceproof.faces import Face, FaceDetector, create_face_detector, crop_face, whole_image_face
from faceproof.preprocess import make_preprocessor
from faceproof.runner_choice import OnDemandRunner, choose_runner
from faceproof.stability import STABILITY_CHANGES, FaceStability, changed_crops, face_stability
from faceproof.tta import average_views, tta_views
from faceproof.verdict import DecisionRule, Verdict

log = logging.getLogger(__name__)

ENSEMBLE_RULE = "ensemble"
"""`Predictor.rule_owner` of a rule that is the ensemble's, not one model's."""


@dataclass
class FacePrediction:
    face: Face
    crop: np.ndarray  # RGB uint8 crop as scored (first model's margin)
    model_probabilities: dict[str, float]  # calibrated FAKE probability per model
    fake_probability: float  # ensemble
    verdict: Verdict
    confidence: float
    heatmaps: dict[str, np.ndarray] = field(default_factory=dict)  # model -> (S, S) in [0, 1]
    stability: FaceStability | None = None  # asked for: the range under benign changes


@dataclass
class ImagePrediction:
    faces: list[FacePrediction]
    face_detected: bool
    deciding_face: int | None  # index in `faces` of the face whose verdict
    # is the image's; None: NO_FACE
    fake_probability: float | None  # of the most suspicious face; None: NO_FACE
    verdict: Verdict
    confidence: float | None
    reason: str
    models_used: list[str]
    width: int
    height: int
    tta: bool
    processing_time_ms: float
    stability: FaceStability | None = None  # of the image's fake probability, when asked

    def to_dict(self) -> dict:
        """JSON-ready summary (no pixels)."""
        return {
            "prediction": self.verdict.value,
            "confidence": None if self.confidence is None else round(self.confidence, 6),
            "fake_probability": (
                None if self.fake_probability is None else round(self.fake_probability, 6)
            ),
            "reason": self.reason,
            "face_detected": self.face_detected,
            "deciding_face": self.deciding_face,
            "faces": [
                {
                    "box": f.face.to_dict(),
                    "fake_probability": round(f.fake_probability, 6),
                    "prediction": f.verdict.value,
                    "confidence": round(f.confidence, 6),
                    "model_probabilities": {
                        k: round(v, 6) for k, v in f.model_probabilities.items()
                    },
                    **({"stability": f.stability.to_dict()} if f.stability else {}),
                }
                for f in self.faces
            ],
            **(
                {"stability": self.stability.to_dict("the most suspicious face")}
                if self.stability
                else {}
            ),
            "models_used": self.models_used,
            "image": {"width": self.width, "height": self.height},
            "tta": self.tta,
            "processing_time_ms": round(self.processing_time_ms, 2),
        }


PredictionStage = Literal["detecting", "faces_found", "scoring", "stability", "heatmap"]


@dataclass(frozen=True)
class PredictionStep:
    """Where `predict_image` is: each stage is reported as it starts ("faces_found" once
    detection is done)."""

    stage: PredictionStage
    faces: int = 0  # faces to score (1 for a whole image scored as a face)
    face_detected: bool = False
    face: int | None = None  # "heatmap": the face (1-based) whose Grad-CAM is being made


ProgressCallback = Callable[[PredictionStep], None]


def deciding_face(faces: Sequence[FacePrediction]) -> int | None:
    """The index of the face that decides an image: the most suspicious (highest ensemble
    fake probability), the first found on a tie, so that one face likely fake is enough to
    flag the image; None without faces. The one place this rule lives."""
    if not faces:
        return None
    return max(range(len(faces)), key=lambda i: faces[i].fake_probability)


def no_face_reason(detector, what: str = "image") -> str:
    """The plain sentence of a NO_FACE outcome."""
    smallest = getattr(detector, "min_size", None)
    limit = f" (faces smaller than {smallest} pixels are not looked for)" if smallest else ""
    return (
        f"No face was found{limit}. The models judge faces only, so there is no verdict "
        f"for this {what}."
    )


class Predictor:
    """Loads bundles once and classifies faces with them; safe to share between threads.

    Args:
        bundles: loaded bundles (at least one), in the order results list them.
        detector: face detector; Haar by default.
        max_faces: at most this many faces per image are scored (largest scores first).
        ensemble: fitted ensemble weights and rule (`ensemble.json`); None: equal weights.
        precision: "auto" (fp32, or bf16 where the hardware has it natively and the card
            shows it keeps the answers), "fp32" or "bf16"; see `faceproof.runtime`.
        runtime: "torch" (the reference), "onnxruntime", "openvino", or "auto" (the fastest
            verified on this CPU, measured at load); see `faceproof.runner_choice`.
        cache_dir: where compiled models and the runtime choice are kept (default:
            `faceproof.compiled.cache_dir()`).
        max_batch: faces per model forward at most (1: one face at a time, the reference).
        micro_batching: gather concurrent callers' faces into shared batches (a service);
            off, each call runs its own batches.
        batch_wait_ms: how long a micro-batch waits for callers still in flight.
        preprocessing: "opencv" (fast) or "pil" (PIL/torchvision, the reference path).
        run_unweighted: also run, when a call names no models, the members `ensemble` gives
            weight 0 (they cannot change a probability or a verdict). Off, they run only
            when a call names them, and their runners start on that first call.

    Call `close()` when done with a micro-batching predictor.
    """

    def __init__(
        self,
        bundles: Sequence[Bundle],
        detector: FaceDetector | None = None,
        *,
        max_faces: int = 16,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        ensemble: EnsembleConfig | None = None,
        precision: str = "auto",
        max_batch: int = 32,
        micro_batching: bool = False,
        batch_wait_ms: float = 4.0,
        preprocessing: str = "opencv",
        runtime: str = "torch",
        cache_dir: str | Path | None = None,
        run_unweighted: bool = False,
    ):
        if not bundles:
            raise BundleError("no model bundle to load")
        names = [b.name for b in bundles]
        if len(set(names)) != len(names):
            raise BundleError(f"two bundles share a name: {names}")
        self.bundles = {b.name: b for b in bundles}
        self.preprocessors = {b.name: make_preprocessor(b.config, preprocessing) for b in bundles}
        self.rules = {b.name: DecisionRule.from_config(b.config) for b in bundles}
        self.detector = detector or create_face_detector("haar")
        self.max_faces = max_faces
        self.max_pixels = max_pixels
        self.ensemble = ensemble
        self.default_models = self._default_models(names, ensemble, run_unweighted)
        self.runners = {}
        for b in bundles:
            device = b.device  # not b.model: a compiled runner may serve without it
            start = choose_runner if b.name in self.default_models else OnDemandRunner
            self.runners[b.name] = start(b, runtime, precision, device=device, cache=cache_dir)
        self.max_batch = max_batch
        self.batch_listeners: list[BatchListener] = []
        # one forward at a time per model (Grad-CAM included: it hooks the shared modules)
        self._locks = {b.name: threading.Lock() for b in bundles}
        self.batcher = (
            MicroBatcher(
                self.runners,
                max_batch=max_batch,
                max_wait_ms=batch_wait_ms,
                locks=self._locks,
                listeners=self.batch_listeners,
            )
            if micro_batching
            else None
        )

    @classmethod
    def from_dir(
        cls,
        models_dir: str | Path,
        names: Sequence[str] | None = None,
        *,
        detector: FaceDetector | None = None,
        **kwargs,
    ) -> Predictor:
        """Load the bundles found in `models_dir` (all, or those named) and its
        `ensemble.json` when there is one; named models all run by default."""
        folders = find_bundles(models_dir)
        if names:
            by_name = {f.name: f for f in folders}
            missing = [n for n in names if n not in by_name]
            if missing:
                raise UnknownModelError(
                    f"no bundle {missing} in {models_dir}; found {sorted(by_name) or 'none'}"
                )
            folders = [by_name[n] for n in names]
        if not folders:
            raise BundleError(f"no model bundle (folder with model.json) in {models_dir}")
        kwargs.setdefault("ensemble", read_ensemble(models_dir))
        kwargs.setdefault("run_unweighted", bool(names))  # models named are models wanted
        return cls([load_bundle(f) for f in folders], detector, **kwargs)

    # ---------------------------------------------------------------- model selection
    @property
    def model_names(self) -> list[str]:
        return list(self.bundles)

    @staticmethod
    def _default_models(
        names: list[str], ensemble: EnsembleConfig | None, run_unweighted: bool
    ) -> list[str]:
        """All loaded models, less the fitted ensemble's members at weight 0 (unless asked)."""
        if run_unweighted or ensemble is None or not ensemble.applies_to(names):
            return list(names)
        return [name for name in names if name in ensemble.weighted_members]

    def select(self, models: Sequence[str] | None) -> list[str]:
        """The loaded models to use, validated; None or empty means `default_models`."""
        if not models:
            return list(self.default_models)
        unknown = [m for m in models if m not in self.bundles]
        if unknown:
            raise UnknownModelError(f"unknown model(s) {unknown}; loaded: {self.model_names}")
        return list(dict.fromkeys(models))

    def rule(self, models: Sequence[str]) -> DecisionRule:
        """The fitted ensemble's rule where it applies to `models` (it may hold one weighted
        member and others at weight 0), else one model's own rule or the members' mean."""
        owner = self.rule_owner(models)
        if owner != ENSEMBLE_RULE:
            return self.rules[owner]
        if self.ensemble is not None and self.ensemble.applies_to(models):
            return self.ensemble.rule
        return ensemble_rule([self.bundles[m].config for m in models])

    def rule_owner(self, models: Sequence[str]) -> str:
        """Whose rule `rule(models)` is: `ENSEMBLE_RULE` (the fitted ensemble's, which also
        decides for its one weighted member alone, or the members' mean), else the one
        model's name."""
        if self.ensemble is not None and self.ensemble.applies_to(models):
            return ENSEMBLE_RULE
        return models[0] if len(models) == 1 else ENSEMBLE_RULE

    def combine(self, probabilities: np.ndarray, models: Sequence[str]) -> np.ndarray:
        """(n, n_models) calibrated probabilities -> (n,) ensemble probability."""
        return ensemble_probability(probabilities, member_weights(self.ensemble, models))

    # ---------------------------------------------------------------- running
    @property
    def precision(self) -> dict[str, str]:
        """The precision each model runs at ("fp32" or "bf16")."""
        return {name: runner.precision for name, runner in self.runners.items()}

    @property
    def runtimes(self) -> dict[str, str]:
        """The runtime serving each model ("torch", "onnxruntime" or "openvino")."""
        return {name: runner.runtime for name, runner in self.runners.items()}

    def add_batch_listener(self, listener: BatchListener) -> None:
        """Call `listener(model, faces, seconds)` after every model forward."""
        self.batch_listeners.append(listener)

    def queue_depth(self) -> int:
        """Faces waiting for a model forward (0 without micro-batching)."""
        return self.batcher.queue_depth() if self.batcher else 0

    def session(self) -> AbstractContextManager:
        """Wrap one request in it so the micro-batcher knows it is in flight."""
        return self.batcher.session() if self.batcher else nullcontext()

    def close(self) -> None:
        """Stop the micro-batcher's worker (after what is queued)."""
        if self.batcher:
            self.batcher.close()

    def _forward(self, batches: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Logits per model for each model's preprocessed batch."""
        if self.batcher:
            return self.batcher.run(batches)
        out = {}
        for name, batch in batches.items():
            start = time.perf_counter()
            out[name] = run_in_chunks(self.runners[name], batch, self.max_batch, self._locks[name])
            seconds = time.perf_counter() - start
            for listener in self.batch_listeners:
                listener(name, len(batch), seconds)
        return out

    # ---------------------------------------------------------------- scoring
    def score_model_crops(
        self, crops: Mapping[str, Sequence[np.ndarray]], *, tta: bool = False
    ) -> np.ndarray:
        """Calibrated FAKE probabilities, shape (n_crops, n_models), for each model's own RGB
        uint8 crops (`crops`: model -> crops, all of the same length; models in its order).
        All models go through one forward round."""
        names = self.select(list(crops))
        n = len(crops[names[0]]) if names else 0
        out = np.empty((n, len(names)))
        if n == 0:
            return out
        inputs = {
            name: (
                [
                    v
                    for c in crops[name]
                    for v in tta_views(c, mirror=not self.bundles[name].config.head.mirror_average)
                ]
                if tta
                else list(crops[name])
            )
            for name in names
        }
        logits = self._forward(
            {name: self.preprocessors[name].arrays(inputs[name]) for name in names}
        )
        for j, name in enumerate(names):
            temperature = self.bundles[name].config.temperature
            probs = 1.0 / (1.0 + np.exp(-logits[name].astype(np.float64) / temperature))
            out[:, j] = average_views(probs, len(inputs[name]) // n) if tta else probs
        return out

    def score_crops(
        self, crops: Sequence[np.ndarray], models: Sequence[str] | None = None, *, tta: bool = False
    ) -> np.ndarray:
        """Calibrated FAKE probabilities, shape (n_crops, n_models), for RGB uint8 crops."""
        names = self.select(models)
        if len(crops) == 0:
            return np.zeros((0, len(names)))
        return self.score_model_crops({name: crops for name in names}, tta=tta)

    def score_changed(
        self,
        crops: Mapping[str, Sequence[np.ndarray]],
        names: Sequence[str],
        *,
        tta: bool = False,
        changes: Sequence[str] = STABILITY_CHANGES,
    ) -> np.ndarray:
        """Ensemble FAKE probabilities, shape (n_crops, n_changes), of each model's crops
        (as `score_model_crops` takes them) under each benign change of `faceproof.stability`;
        every change of every crop goes through one forward round."""
        changed: dict[int, list[np.ndarray]] = {}  # models that share a margin share crops
        for name in names:
            if id(crops[name]) not in changed:
                changed[id(crops[name])] = [
                    c for crop in crops[name] for c in changed_crops(crop, changes)
                ]
        probs = self.score_model_crops({n: changed[id(crops[n])] for n in names}, tta=tta)
        return self.combine(probs, names).reshape(-1, len(changes))

    def explain(self, name: str, crop: np.ndarray) -> np.ndarray:
        """Grad-CAM map (S, S) in [0, 1] of model `name` for one crop."""
        from faceproof.gradcam import grad_cam

        model = self.bundles[name].model  # torch, whatever serves the scores: it needs gradients
        with self._locks[name]:
            return grad_cam(
                model, self.preprocessors[name]([crop]).to(next(model.parameters()).device)
            )[0]

    def warm_explain(self, name: str) -> None:
        """Make model `name`'s first `explain` fast: import torch and timm, build its torch
        model and run one Grad-CAM on a blank crop (the first backward), under the locks
        `explain` takes, so a call arriving meanwhile waits for this instead of building the
        model twice. Changes no answer: Grad-CAM leaves the model as it was."""
        size = self.bundles[name].config.input_size
        self.explain(name, np.zeros((size, size, 3), np.uint8))

    # ---------------------------------------------------------------- faces
    def detect(self, image: np.ndarray) -> tuple[list[Face], bool]:
        """Faces to score, and whether any was really detected."""
        faces = self.detector.detect(image)[: self.max_faces]
        return (faces, True) if faces else ([whole_image_face(image)], False)

    def crops_for(
        self, image: np.ndarray, faces: Sequence[Face], names: Sequence[str], detected: bool = True
    ) -> dict[str, list[np.ndarray]]:
        """Each model's crops, cut with its own face margin; with no face detected, the
        whole image as it is (a margin would only pad it)."""
        by_margin: dict[float, list[np.ndarray]] = {}
        crops = {}
        for name in names:
            margin = self.bundles[name].config.face_margin
            if margin not in by_margin:
                by_margin[margin] = (
                    [crop_face(image, f, margin) for f in faces]
                    if detected
                    else [image] * len(faces)
                )
            crops[name] = by_margin[margin]
        return crops

    def score_faces(
        self,
        image: np.ndarray,
        faces: Sequence[Face],
        names: Sequence[str],
        tta: bool,
        detected: bool = True,
    ) -> tuple[np.ndarray, dict[str, list[np.ndarray]]]:
        """(n_faces, n_models) probabilities and each model's crops."""
        crops = self.crops_for(image, faces, names, detected)
        return self.score_model_crops(crops, tta=tta), crops

    # ---------------------------------------------------------------- images
    def predict_image(
        self,
        image: np.ndarray,
        *,
        models: Sequence[str] | None = None,
        tta: bool = False,
        explain: bool = False,
        whole_image: bool = False,
        stability: bool = False,
        progress: ProgressCallback | None = None,
    ) -> ImagePrediction:
        """Classify every face of an RGB uint8 image.

        `stability=True` also re-scores every face under the benign changes of
        `faceproof.stability` and reports the range of each face's (and the image's) fake
        probability, and whether it crosses a cut of the rule.

        With no face found the answer is NO_FACE, with no probability: the models were
        trained on faces and cannot judge anything else. `whole_image=True` scores the whole
        image instead, for callers who know it is a tight face crop the detector missed.

        `progress` is called as each stage starts (`PredictionStep`), on the calling thread.
        """
        start = time.perf_counter()
        names = self.select(models)
        report = progress or (lambda _step: None)
        with self.session():
            report(PredictionStep("detecting"))
            faces, detected = self.detect(image)
            scored = len(faces) if detected or whole_image else 0
            report(PredictionStep("faces_found", faces=scored, face_detected=detected))
            if not detected and not whole_image:
                return ImagePrediction(
                    faces=[],
                    face_detected=False,
                    deciding_face=None,
                    fake_probability=None,
                    verdict=Verdict.NO_FACE,
                    confidence=None,
                    reason=no_face_reason(self.detector),
                    models_used=names,
                    width=int(image.shape[1]),
                    height=int(image.shape[0]),
                    tta=tta,
                    processing_time_ms=(time.perf_counter() - start) * 1000,
                )
            report(PredictionStep("scoring", faces=scored, face_detected=detected))
            probs, crops = self.score_faces(image, faces, names, tta, detected)
            changed = None
            if stability:
                report(PredictionStep("stability", faces=scored, face_detected=detected))
                changed = self.score_changed(crops, names, tta=tta)
        rule = self.rule(names)
        ensemble = self.combine(probs, names)
        results = []
        for i, face in enumerate(faces):
            p = float(ensemble[i])
            heatmaps = {}
            if explain:
                report(PredictionStep("heatmap", faces=scored, face_detected=detected, face=i + 1))
                heatmaps = {n: self.explain(n, crops[n][i]) for n in names}
            results.append(
                FacePrediction(
                    face=face,
                    crop=crops[names[0]][i],
                    model_probabilities={n: float(probs[i, j]) for j, n in enumerate(names)},
                    fake_probability=p,
                    verdict=rule.decide(p),
                    confidence=rule.confidence(p),
                    heatmaps=heatmaps,
                    stability=None
                    if changed is None
                    else face_stability(
                        p, dict(zip(STABILITY_CHANGES, map(float, changed[i]), strict=True)), rule
                    ),
                )
            )
        decides = deciding_face(results)
        assert decides is not None  # `detect` gives a face even when none is found: the image
        top = results[decides]
        image_stability = None
        if changed is not None:  # the image scores as its most suspicious face, change by change
            image_stability = face_stability(
                top.fake_probability,
                dict(zip(STABILITY_CHANGES, map(float, changed.max(axis=0)), strict=True)),
                rule,
            )
        reason = rule.explain(top.fake_probability)
        if detected:
            reason = (
                f"{len(results)} face{'s' if len(results) > 1 else ''} found; the most "
                f"suspicious decides: {reason}"
            )
        else:
            reason = f"no face found: the whole image was classified as asked; {reason}"
        return ImagePrediction(
            faces=results,
            face_detected=detected,
            deciding_face=decides,
            fake_probability=top.fake_probability,
            verdict=top.verdict,
            confidence=top.confidence,
            reason=reason,
            models_used=names,
            width=int(image.shape[1]),
            height=int(image.shape[0]),
            tta=tta,
            processing_time_ms=(time.perf_counter() - start) * 1000,
            stability=image_stability,
        )

    def predict_bytes(self, data: bytes, **kwargs) -> ImagePrediction:
        return self.predict_image(decode_image(data, max_pixels=self.max_pixels), **kwargs)

    def predict_path(self, path: str | Path, **kwargs) -> ImagePrediction:
        return self.predict_image(load_image(path, max_pixels=self.max_pixels), **kwargs)
