"""The HTTP server benchmark runs both stacks end to end (tiny bundle, short blocks)."""

from __future__ import annotations

import json

from bench.http_server import default_stack, main


def test_both_stacks_are_measured_in_alternating_blocks(tiny_bundle_dir, tmp_path) -> None:
    models = tiny_bundle_dir("lite", input_size=32).parent
    out = tmp_path / "http.json"
    main(
        [
            "--models-dir",
            str(models),
            "--blocks",
            "2",
            "--requests",
            "3",
            "--clients",
            "2",
            "--seconds",
            "0.3",
            "--output",
            str(out),
        ]
    )
    result = json.loads(out.read_text())
    assert result["blocks"] == 2
    assert result["requests"] == {"reference": 6, "default": 6}
    for name in ("reference", "default"):
        assert result["p50_ms"][name] > 0 and result["faces_per_s"][name] > 0
    assert result["latency_speedup"] > 0 and result["throughput_speedup"] > 0
    assert result["default_stack"] == default_stack() == "uvloop + httptools"
