"""The report of one past analysis: a self-contained HTML page (inline CSS, images as data
URLs, made to print), rendered from `backend/templates/report.html` with what the history kept.

What a report needs beyond the history's columns is recorded in the analysis's `details`
when it is made (`report_details`): the face crops and heatmaps, a video's keyframes, the
settings, the software version and each model's name, weights hash and measured metrics.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

import faceproof
from backend.core.settings import Settings
from backend.services.kept_uploads import kept_files
from faceproof.bundle import WEIGHTS_FILE
from faceproof.predictor import Predictor

CAVEAT = (
    "A verdict is a probability from models trained on one data set, not a proof. "
    "Treat “uncertain” as “needs a human”."
)
METRICS = ("roc_auc", "accuracy", "balanced_accuracy", "eer", "samples", "split")
MAX_EMBEDDED_PHOTO = 8 * 1024 * 1024  # a kept photo larger than this is named, not embedded
IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".avif": "image/avif",
}

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parents[1] / "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.ChainableUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@lru_cache(maxsize=64)
def _weights_sha256(path: Path, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def model_facts(predictor: Predictor, names: list[str]) -> list[dict[str, Any]]:
    """Name, architecture, weights hash and headline metrics of each model that ran."""
    facts = []
    for name in names:
        bundle = predictor.bundles.get(name)
        if bundle is None:
            continue
        weights = Path(bundle.path) / WEIGHTS_FILE
        stat = weights.stat() if weights.is_file() else None
        metrics = bundle.config.metrics or {}
        abstain = metrics.get("abstain")
        if not isinstance(abstain, dict):
            abstain = {}
        facts.append(
            {
                "name": name,
                "arch": bundle.config.arch,
                "created": bundle.config.created,
                "weights_sha256": _weights_sha256(weights, stat.st_mtime_ns, stat.st_size)
                if stat
                else None,
                "metrics": {k: metrics[k] for k in METRICS if k in metrics}
                | {
                    f"abstain_{k}": abstain[k]
                    for k in ("fraction", "decided_accuracy")
                    if isinstance(abstain.get(k), int | float)
                },
            }
        )
    return facts


def report_details(
    predictor: Predictor, settings: Settings, response: Any, **options: Any
) -> dict[str, Any]:
    """What the report (and the history's detail page) needs that the history's columns do
    not hold, taken from the live response: to be merged into the analysis's `details`."""
    extra: dict[str, Any] = {
        "software": {"faceproof": faceproof.__version__},
        "settings": {
            "face_detector": settings.FACE_DETECTOR,
            "models": response.models_used,
            **options,
        },
        "model_info": model_facts(predictor, list(response.models_used)),
    }
    if hasattr(response, "faces"):  # a photo
        extra["crops"] = [f.thumbnail for f in response.faces]
        if any(f.heatmaps for f in response.faces):
            extra["heatmaps"] = [f.heatmaps for f in response.faces]
        extra["processing_time_ms"] = response.processing_time_ms
    if hasattr(response, "keyframes"):  # a video
        extra["keyframes"] = [k.model_dump() for k in response.keyframes]
        extra["duration_s"] = response.duration_s
    return extra


def _kept_photo(settings: Settings, item: dict) -> str | None:
    """The kept photo as a data URL (KEEP_UPLOADS), or None."""
    if item["kind"] != "image":
        return None
    for path in kept_files(settings, item["id"]):
        kind = IMAGE_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
        if kind and kind.startswith("image/") and path.stat().st_size <= MAX_EMBEDDED_PHOTO:
            return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode()
    return None


def _when(value: Any) -> str:
    """An ISO time as "2026-12-03 12:11:10 UTC" (the text as it is when not one)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value or "–")
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if moment.tzinfo else "")


def _percent(value: Any, digits: int = 1) -> str:
    return "–" if not isinstance(value, int | float) else f"{value * 100:.{digits}f} %"


def render_report(item: dict, settings: Settings) -> str:
    """The report page of one history record (`HistoryStore.get`)."""
    details = item.get("details") or {}
    faces = [dict(face) for face in item.get("faces") or []]
    crops = details.get("crops") or []
    heatmaps = details.get("heatmaps") or []
    for i, face in enumerate(faces):
        face["crop"] = crops[i] if i < len(crops) else None
        face["heatmaps"] = heatmaps[i] if i < len(heatmaps) and heatmaps[i] else {}
    timeline = [t for t in details.get("timeline") or [] if isinstance(t, dict)]
    template = _templates.get_template("report.html")
    return template.render(
        item=item,
        details=details,
        faces=faces,
        rule=details.get("decision"),
        timeline=timeline,
        keyframes=details.get("keyframes") or [],
        photo=_kept_photo(settings, item),
        caveat=CAVEAT,
        percent=_percent,
        when=_when,
        provenance=details.get("provenance"),
        version=faceproof.__version__,
        timeline_svg=_timeline_svg(timeline, details.get("decision")),
    )


def _timeline_svg(timeline: list[dict], rule: dict | None) -> str | None:
    """A small inline SVG of the fake probability over time, over the rule's regions."""
    points = [
        (float(t["time_s"]), t.get("p"))
        for t in timeline
        if isinstance(t.get("time_s"), int | float)
    ]
    if not points:
        return None
    width, height, pad = 640, 160, 4
    end = max(s for s, _ in points) or 1.0

    def x(s: float) -> float:
        return pad + (width - 2 * pad) * s / end

    def y(p: float) -> float:
        return pad + (height - 2 * pad) * (1 - p)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="fake probability over time" class="timeline">'
    ]
    if rule and all(isinstance(rule.get(k), int | float) for k in ("low", "high")):
        low, high = rule["low"], rule["high"]
        for top, bottom, colour in (
            (1, high, "#fbe3e1"),
            (high, low, "#fdf3d8"),
            (low, 0, "#e2f3e8"),
        ):
            parts.append(
                f'<rect x="{pad}" y="{y(top):.1f}" width="{width - 2 * pad}" '
                f'height="{y(bottom) - y(top):.1f}" fill="{colour}"/>'
            )
    segment: list[str] = []
    lines = []
    for s, p in points:
        if isinstance(p, int | float):
            segment.append(f"{x(s):.1f},{y(p):.1f}")
        elif segment:
            lines.append(segment)
            segment = []
    if segment:
        lines.append(segment)
    for line in lines:
        parts.append(
            f'<polyline points="{" ".join(line)}" fill="none" stroke="#1f2937" stroke-width="2"/>'
        )
    for s, p in points:
        if isinstance(p, int | float):
            parts.append(f'<circle cx="{x(s):.1f}" cy="{y(p):.1f}" r="2.5" fill="#1f2937"/>')
    parts.append("</svg>")
    return "".join(parts)
