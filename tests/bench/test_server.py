"""The benchmarks' service: the lean start unless told otherwise."""

from __future__ import annotations

from bench.server import Service


def test_the_heatmap_warm_up_is_off_unless_asked_for() -> None:
    assert Service().env["FACEPROOF_WARM_HEATMAPS"] == "false"
    assert Service({"FACEPROOF_WARM_HEATMAPS": "true"}).env["FACEPROOF_WARM_HEATMAPS"] == "true"
