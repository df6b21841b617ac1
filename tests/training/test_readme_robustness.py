"""README's robustness table: written from the bundles' recorded robustness, never by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.readme_robustness import (
    bundle_reports,
    main,
    rewrite,
    robustness_markdown,
    two_class_sets,
)


def _change(label: str, kind: str, auc: float, delta: float, flips: float) -> dict:
    by_dataset = {
        "dfdc": {"roc_auc": auc, "roc_auc_delta": delta, "flips": flips},
        "real-faces": {"roc_auc": None, "roc_auc_delta": None, "flips": flips},
    }
    return {
        "label": label,
        "kind": kind,
        "images": 600,
        "roc_auc": auc,
        "roc_auc_delta": delta,
        "flips": flips,
        "reversals": flips / 4,
        "by_dataset": by_dataset,
    }


def _report(auc: float) -> dict:
    return {
        "images": 600,
        "changes": {
            "clean": _change("none (the clean crop)", "clean", auc, 0.0, 0.0),
            "jpeg_50": _change("JPEG quality 50", "benign", auc - 0.01, -0.01, 0.103),
        },
    }


def _bundle(models: Path, name: str, report: dict | None) -> None:
    """A folder `find_bundles` lists and `read_config` reads: the fields it requires."""
    folder = models / name
    folder.mkdir(parents=True)
    src = Path(__file__).resolve().parents[2] / "models" / "efficientnet_lite0" / "model.json"
    config = json.loads(src.read_text())
    config["name"] = name
    config["metrics"] = {**config["metrics"], "robustness": report} if report else {"roc_auc": 0.5}
    (folder / "model.json").write_text(json.dumps(config))


def test_a_row_per_change_the_first_bundle_per_two_class_data_set() -> None:
    table = robustness_markdown({"lite": _report(0.9), "resnet": _report(0.6)}).splitlines()
    assert table[0] == (
        "| change | faces | lite ROC-AUC (change) | dfdc | verdicts changed | REAL <-> FAKE |"
        " resnet ROC-AUC (change) | verdicts changed |"
    )
    assert table[1].count("|") == table[0].count("|")
    assert table[2] == (
        "| none (the clean crop) | 600 | 0.900 | 0.900 | 0.0 % | 0.0 % | 0.600 | 0.0 % |"
    )
    assert table[3] == (
        "| JPEG quality 50 | 600 | 0.890 (-0.010) | 0.890 (-0.010) | 10.3 % | 2.6 % "
        "| 0.590 (-0.010) | 10.3 % |"
    )


def test_genuine_only_data_sets_get_no_column() -> None:
    assert two_class_sets(_report(0.9)) == ["dfdc"]


def test_a_change_the_other_bundle_never_measured_reads_as_a_dash() -> None:
    other = _report(0.6)
    del other["changes"]["jpeg_50"]
    rows = robustness_markdown({"a": _report(0.9), "b": other}).splitlines()
    assert rows[3].endswith("| - | - |")


def test_nothing_measured_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"training\.robustness"):
        robustness_markdown({})


def test_the_heaviest_ensemble_member_leads_and_unmeasured_bundles_are_left_out(tmp_path) -> None:
    _bundle(tmp_path, "alpha", _report(0.6))
    _bundle(tmp_path, "beta", _report(0.9))
    _bundle(tmp_path, "gamma", None)
    assert list(bundle_reports(tmp_path)) == ["alpha", "beta"]  # no ensemble: by name
    (tmp_path / "ensemble.json").write_text(
        json.dumps(
            {
                "weights": {"alpha": 0.0, "beta": 1.0},
                "threshold": 0.5,
                "abstain_band": {"low": 0.2, "high": 0.9},
            }
        )
    )
    assert list(bundle_reports(tmp_path)) == ["beta", "alpha"]
    assert list(bundle_reports(tmp_path, first="alpha")) == ["alpha", "beta"]
    with pytest.raises(ValueError, match="gamma has no robustness figures"):
        bundle_reports(tmp_path, first="gamma")


def test_rewrite_replaces_only_the_marked_block_and_refuses_a_readme_without_it(tmp_path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- robustness-table -->\nold\n<!-- /robustness-table -->\nend\n")
    rewrite(readme, "| new |")
    assert readme.read_text() == (
        "intro\n<!-- robustness-table -->\n| new |\n<!-- /robustness-table -->\nend\n"
    )
    bare = tmp_path / "bare.md"
    bare.write_text("no markers\n")
    with pytest.raises(ValueError, match="no <!-- robustness-table -->"):
        rewrite(bare, "| new |")
    assert bare.read_text() == "no markers\n"


def test_the_command_line_prints_or_rewrites_and_reports_a_usage_error(tmp_path, capsys) -> None:
    _bundle(tmp_path, "beta", _report(0.9))
    main([str(tmp_path)])
    assert "| none (the clean crop) | 600 | 0.900 |" in capsys.readouterr().out
    readme = tmp_path / "README.md"
    readme.write_text("x\n<!-- robustness-table -->\n<!-- /robustness-table -->\n")
    main([str(tmp_path), "--readme", str(readme)])
    assert "| JPEG quality 50 | 600 | 0.890 (-0.010) |" in readme.read_text()
    for missing in ("bare.md", "absent.md"):
        if missing == "bare.md":
            (tmp_path / missing).write_text("no markers\n")
        with pytest.raises(SystemExit) as stopped:
            main([str(tmp_path), "--readme", str(tmp_path / missing)])
        assert stopped.value.code == 2
    assert "absent.md" in capsys.readouterr().err
