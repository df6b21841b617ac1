"""The benchmark runs end to end (tiny bundles, short figures) and reports every figure."""

from __future__ import annotations

import json

import cv2
import numpy as np

from bench.benchmark import main, update_readme


def small_video(path):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (160, 120))
    for i in range(20):
        writer.write(np.full((120, 160, 3), 10 * i, np.uint8))
    writer.release()
    return path


def test_quick_benchmark_reports_every_figure(tiny_bundle_dir, tmp_path):
    models = tiny_bundle_dir("lite", input_size=32).parent
    tiny_bundle_dir("res", arch="resnet50", input_size=32, parent=models)
    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- performance -->\nold\n<!-- /performance -->\nend\n")
    main(
        [
            "--models-dir",
            str(models),
            "-n",
            "3",
            "--seconds",
            "0.5",
            "--clients",
            "1",
            "4",
            "--requests",
            "40",
            "--video-runs",
            "1",
            "--output",
            str(tmp_path / "out"),
            "--readme",
            str(readme),
            "--video",
            str(small_video(tmp_path / "v.mp4")),
        ]
    )
    report = json.loads((tmp_path / "out" / "latest.json").read_text())
    for name in ("reference", "fast"):
        run = report[name]
        assert set(run["throughput"]) == {"1", "4", "16"}
        assert run["crop"]["p50_ms"] > 0 and run["photo_1080p"]["p50_ms"] > 0
        assert run["video"]["seconds"] > 0 and run["batch"]["faces_per_s"] > 0
        assert run["requests_served"] >= 40 and run["rss_after_requests_mb"] > 0
    assert set(report["reference"]["runtime"].values()) == {"torch fp32"}
    assert {v.split()[0] for v in report["fast"]["runtime"].values()} <= {
        "torch",
        "onnxruntime",
        "openvino",
    }
    assert report["fast"]["ready_cold_s"] > 0
    assert report["floor"]["bf16_gflops"] > 0 and set(report["floor"]["gflop_per_face"]) == {
        "lite",
        "res",
    }
    table = (tmp_path / "out" / "latest.md").read_text()
    assert "16 concurrent clients" in table and "speed-up" in table
    assert "Fast path: lite on" in table
    text = readme.read_text()
    assert "old" not in text and "16 concurrent clients" in text and text.endswith("end\n")


def test_update_readme_needs_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n")
    try:
        update_readme(readme, "table")
    except SystemExit as exc:
        assert "performance" in str(exc)
    else:
        raise AssertionError("no error without markers")
