"""Deepfake analysis of a video: faces of evenly sampled frames, scored in batches.

Each sampled frame is decoded once; its faces are detected and cropped; the crops of all
frames are scored together (one batch per model, so the models run at their best batch
size); a frame's probability is that of its most suspicious face; the video's probability is
the mean over frames with a face.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from faceproof.errors import VideoError
from faceproof.faces import crop_face, whole_image_face
from faceproof.predictor import Predictor, no_face_reason
from faceproof.prefetch import prefetch
from faceproof.stability import STABILITY_CHANGES, FaceStability, face_stability
from faceproof.verdict import Verdict
from faceproof.video import read_frames

MAX_FRAME_PIXELS = 1920 * 1080
"""Frames are decoded at most at 1080p: a face that fills a 4K frame still gives a crop far
larger than the models' input."""
MAX_TOTAL_PIXELS = 32 * MAX_FRAME_PIXELS
"""Pixels of all kept frames together (about 200 MB of RGB): more frames, smaller frames."""

Progress = Callable[[float, str], None]
"""Called with the share of work done (0-1) and what is happening."""


@dataclass
class FrameScore:
    index: int
    time_s: float
    face_count: int
    fake_probability: float | None  # most suspicious face; None when no face was found
    verdict: Verdict | None


@dataclass
class Keyframe:
    index: int
    time_s: float
    fake_probability: float
    crop: np.ndarray  # RGB uint8 face crop
    box: dict


@dataclass
class VideoPrediction:
    frames_analyzed: int
    frames_with_faces: int
    fake_probability: float | None  # None: NO_FACE (no face in any sampled frame)
    fake_percentage: float  # share of frames with a face judged FAKE, 0-100
    verdict: Verdict
    confidence: float | None
    reason: str
    face_detected: bool
    timeline: list[FrameScore]
    keyframes: list[Keyframe]
    models_used: list[str]
    duration_s: float
    processing_time_ms: float
    threshold: float = 0.5
    extras: dict = field(default_factory=dict)
    stability: FaceStability | None = None  # of the video's fake probability, when asked


def analyze_video(
    predictor: Predictor,
    path: str | Path,
    *,
    num_frames: int = 32,
    models: Sequence[str] | None = None,
    tta: bool = False,
    max_duration_s: float | None = None,
    keyframes: int = 4,
    max_frame_pixels: int | None = MAX_FRAME_PIXELS,
    max_total_pixels: int | None = MAX_TOTAL_PIXELS,
    whole_frames: bool = False,
    stability: bool = False,
    progress: Progress | None = None,
) -> VideoPrediction:
    """Sample `num_frames` frames, score their faces and aggregate.

    With no face in any frame the answer is NO_FACE, with no probability (`whole_frames=True`
    scores the whole frames instead, and the result says so). Frames are
    downscaled as they are decoded to at most `max_frame_pixels`, and further so that the
    frames kept for the analysis hold at most `max_total_pixels` together (memory stays
    bounded whatever the resolution); the result's `extras` says when that happened.
    `stability=True` also scores every face under the benign changes of
    `faceproof.stability` and reports the range of the video's fake probability.
    """
    start = time.perf_counter()
    names = predictor.select(models)
    report = progress or (lambda _done, _stage: None)
    report(0.0, "reading frames")
    frames, frame_faces, detected_any = [], [], False
    bound = frame_pixel_bound(num_frames, max_frame_pixels, max_total_pixels)
    # decoding and detection are ~60 % of the work, scoring the rest
    # frames are decoded in a thread while faces are found in the ones already decoded
    for frame in prefetch(
        read_frames(path, num_frames, max_duration_s=max_duration_s, max_pixels=bound)
    ):
        faces = predictor.detector.detect(frame.image)[: predictor.max_faces]
        detected_any |= bool(faces)
        frames.append(frame)
        frame_faces.append(faces)
        report(0.6 * len(frames) / num_frames, "detecting faces")
    if not frames:
        raise VideoError("no frame could be read")
    extras = {}
    kept = (int(frames[0].image.shape[1]), int(frames[0].image.shape[0]))
    if kept != frames[0].decoded_size:
        extras["downscaled"] = {
            "from": list(frames[0].decoded_size),
            "to": list(kept),
            "max_frame_pixels": bound,
        }
    if not detected_any and not whole_frames:  # nothing the models can judge
        report(1.0, "done")
        return VideoPrediction(
            frames_analyzed=len(frames),
            frames_with_faces=0,
            fake_probability=None,
            fake_percentage=0.0,
            verdict=Verdict.NO_FACE,
            confidence=None,
            reason=no_face_reason(predictor.detector, f"video ({len(frames)} frames sampled)"),
            face_detected=False,
            timeline=[FrameScore(f.index, round(f.time_s, 3), 0, None, None) for f in frames],
            keyframes=[],
            models_used=names,
            duration_s=round(frames[-1].time_s, 3),
            threshold=predictor.rule(names).threshold,
            processing_time_ms=(time.perf_counter() - start) * 1000,
            extras=extras,
        )
    if not detected_any:  # whole frames, as asked
        frame_faces = [[whole_image_face(f.image)] for f in frames]
    owners = [i for i, faces in enumerate(frame_faces) for _ in faces]
    all_faces = [face for faces in frame_faces for face in faces]
    report(0.6, "scoring faces")
    crops = {}
    for name in names:
        margin = predictor.bundles[name].config.face_margin
        crops[name] = [
            crop_face(frames[o].image, f, margin) if detected_any else frames[o].image
            for o, f in zip(owners, all_faces, strict=True)
        ]
    first_crops = crops[names[0]]
    probs = predictor.score_model_crops(crops, tta=tta)  # the models side by side
    report(0.95 if not stability else 0.7, f"scored with {', '.join(names)}")
    changed = predictor.score_changed(crops, names, tta=tta) if stability else None
    if stability:
        report(0.95, "re-scored under benign changes")
    face_probs = predictor.combine(probs, names)
    rule = predictor.rule(names)

    timeline, best_face = [], {}
    for i, frame in enumerate(frames):
        mine = [k for k, o in enumerate(owners) if o == i]
        p = float(max(face_probs[k] for k in mine)) if mine else None
        if mine:
            best_face[i] = max(mine, key=lambda k: face_probs[k])
        timeline.append(
            FrameScore(
                frame.index,
                round(frame.time_s, 3),
                len(frame_faces[i]) if detected_any else 0,
                p,
                rule.decide(p) if p is not None else None,
            )
        )
    scored = [t for t in timeline if t.fake_probability is not None]
    video_p = float(np.mean([t.fake_probability for t in scored]))
    fake_share = 100.0 * np.mean([t.verdict is Verdict.FAKE for t in scored])
    top = sorted(best_face, key=lambda i: face_probs[best_face[i]], reverse=True)[:keyframes]
    keys = [
        Keyframe(
            frames[i].index,
            round(frames[i].time_s, 3),
            float(face_probs[best_face[i]]),
            first_crops[best_face[i]],
            all_faces[best_face[i]].to_dict(),
        )
        for i in sorted(top)
    ]
    verdict = rule.decide(video_p)
    video_stability = None
    if changed is not None:  # the video's mean, change by change
        by_frame = [[k for k, o in enumerate(owners) if o == i] for i in best_face]
        video_stability = face_stability(
            video_p,
            {
                name: float(np.mean([changed[mine, j].max() for mine in by_frame]))
                for j, name in enumerate(STABILITY_CHANGES)
            },
            rule,
        )
    reason = (
        f"{len(scored)} of {len(frames)} sampled frames show a face; mean {rule.explain(video_p)}"
    )
    if not detected_any:
        reason = f"no face found in any sampled frame: whole frames were classified; {reason}"
    report(1.0, "done")
    return VideoPrediction(
        frames_analyzed=len(frames),
        frames_with_faces=sum(1 for t in timeline if t.face_count),
        fake_probability=video_p,
        fake_percentage=float(fake_share),
        verdict=verdict,
        confidence=rule.confidence(video_p),
        reason=reason,
        face_detected=detected_any,
        timeline=timeline,
        keyframes=keys,
        models_used=names,
        duration_s=round(frames[-1].time_s, 3),
        threshold=rule.threshold,
        processing_time_ms=(time.perf_counter() - start) * 1000,
        extras=extras,
        stability=video_stability,
    )


def frame_pixel_bound(
    num_frames: int, max_frame_pixels: int | None, max_total_pixels: int | None
) -> int | None:
    """Most pixels one decoded frame may keep when `num_frames` are kept together."""
    bounds = [
        b
        for b in (
            max_frame_pixels,
            max_total_pixels // max(1, num_frames) if max_total_pixels else None,
        )
        if b
    ]
    return min(bounds) if bounds else None
