"""bench/load_test.py, short and small (tiny bundles, 4 clients, 8 s), so CI runs the script
the README's load figures come from: zero errors, every kind measured, memory reported."""

from __future__ import annotations

import json

import pytest

from bench import load_test

pytestmark = pytest.mark.slow


def test_a_short_load_run(models_dir, tmp_path, capsys) -> None:
    output = tmp_path / "load.json"

    status = load_test.main(
        [
            "--duration",
            "8",
            "--clients",
            "4",
            "--window",
            "3",
            "--models-dir",
            str(models_dir),
            "--output",
            str(output),
            "--max-rss-growth",
            "50",
        ]
    )

    report = json.loads(output.read_text())
    assert report["errors"] == 0, report["error_samples"]
    assert status == 0
    assert report["requests"] >= 20
    assert all(report["latency_ms"][kind]["count"] > 0 for kind in load_test.MIX)
    assert report["latency_ms"]["single"]["p99"] >= report["latency_ms"]["single"]["p50"] > 0
    assert report["rss_mb"]["first"] > 0 and report["rss_mb"]["last"] > 0
    assert "p99" in capsys.readouterr().out


def test_the_load_is_bounded() -> None:
    for argv in (["--duration", "3600"], ["--clients", "1000"], ["--duration", "0"]):
        with pytest.raises(SystemExit):
            load_test.main(argv)
