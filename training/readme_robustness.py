"""README's "Robustness of the verdict" table, from what `python -m training.robustness`
measured into each bundle's `model.json` (`metrics.robustness`), so the README never holds a
figure that no bundle recorded.

The first bundle given (by default the ensemble's heaviest member) gets a column per data set
with two classes; every other bundle gets its pooled ROC-AUC and its verdicts changed.
`python -m training.readme_robustness models --readme README.md` rewrites the table between
`<!-- robustness-table -->` and `<!-- /robustness-table -->`; without `--readme` it prints it.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from faceproof.bundle import find_bundles, read_config
from faceproof.ensemble import read_ensemble

MARKERS = ("<!-- robustness-table -->", "<!-- /robustness-table -->")


def _auc(f: dict, *, change: bool) -> str:
    """ROC-AUC to three places, with its change from the clean crop when `change` ("-" for
    one class)."""
    if f.get("roc_auc") is None:
        return "-"
    delta = f.get("roc_auc_delta")
    shown = f" ({delta:+.3f})" if change and delta is not None else ""
    return f"{f['roc_auc']:.3f}{shown}"


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def two_class_sets(report: dict) -> list[str]:
    """The data sets of a report whose clean crops have both classes (a ROC-AUC)."""
    clean = report["changes"].get("clean", {}).get("by_dataset", {})
    return [name for name, f in clean.items() if f.get("roc_auc") is not None]


def robustness_markdown(reports: dict[str, dict]) -> str:
    """One row per change; `reports` maps a bundle's name to its robustness report, the
    first in full detail."""
    if not reports:
        raise ValueError("no bundle has robustness figures: run python -m training.robustness")
    names = list(reports)
    main, others = reports[names[0]], names[1:]
    sets = two_class_sets(main)
    header = (
        f"| change | faces | {names[0]} ROC-AUC (change) | "
        + "".join(f"{s} | " for s in sets)
        + "verdicts changed | REAL <-> FAKE |"
        + "".join(f" {n} ROC-AUC (change) | verdicts changed |" for n in others)
    )
    lines = [header, "|---|" + "---:|" * (3 + len(sets) + 2 * len(others) + 1)]
    for key, c in main["changes"].items():
        change = c["kind"] != "clean"
        cells = [c["label"], str(c["images"]), _auc(c, change=change)]
        cells += [_auc(c["by_dataset"].get(s, {}), change=change) for s in sets]
        cells += [_pct(c["flips"]), _pct(c["reversals"])]
        for name in others:
            o = reports[name]["changes"].get(key)
            cells += ["-", "-"] if o is None else [_auc(o, change=change), _pct(o["flips"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bundle_reports(models_dir: Path, first: str | None = None) -> dict[str, dict]:
    """Each bundle's robustness report by name, `first` (default: the ensemble's heaviest
    member, else the first bundle by name) leading; bundles never measured are left out."""
    reports = {}
    for folder in find_bundles(models_dir):
        config = read_config(folder)
        report = (config.metrics or {}).get("robustness")
        if report:
            reports[config.name] = report
    if first is None:
        ensemble = read_ensemble(models_dir)
        weights = ensemble.weights if ensemble else {}
        first = max(reports, key=lambda n: weights.get(n, 0.0), default=None)
    if first is not None and first not in reports:
        raise ValueError(f"{first} has no robustness figures in {models_dir}")
    return dict(sorted(reports.items(), key=lambda kv: kv[0] != first))


def rewrite(readme: Path, table: str) -> None:
    """Put `table` between the markers of `readme`; refuse a README without them."""
    text = readme.read_text(encoding="utf-8")
    start, end = (re.escape(m) for m in MARKERS)
    pattern = re.compile(f"({start}\n)(?:.*?\n)?({end})", flags=re.S)
    if not pattern.search(text):
        raise ValueError(f"{readme} has no {MARKERS[0]} ... {MARKERS[1]} block")
    new = pattern.sub(lambda m: m.group(1) + table + "\n" + m.group(2), text, count=1)
    readme.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models_dir", type=Path, help="the folder of bundles")
    parser.add_argument("--readme", type=Path, help="rewrite this README's table (else print)")
    parser.add_argument("--first", help="the bundle shown per data set (default: heaviest)")
    args = parser.parse_args(argv)
    try:
        table = robustness_markdown(bundle_reports(args.models_dir, args.first))
        if args.readme:
            rewrite(args.readme, table)
        else:
            print(table)
    except (ValueError, OSError) as error:
        parser.error(str(error))


if __name__ == "__main__":
    main()
