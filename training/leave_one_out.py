"""The leave-one-source-out figures of a model card: what the runs trained without one data set
measured on all of it (`held_out.json`), gathered for a bundle's card.

`training.export` gathers them when it writes a bundle. Those runs often finish after it (they
are separate, shorter trainings), so `python -m training.leave_one_out models/efficientnet_lite0`
puts their figures into an existing bundle's `model.json` and card without exporting it again:
the weights, the rule and every other figure stay as they are.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import yaml

from faceproof.bundle import CARD_FILE, read_config, write_config
from training.model_card import render_model_card

log = logging.getLogger("training.leave_one_out")


def leave_one_out_figures(
    run_dirs: list[str], replaced: list[dict] | None = None, replaced_created: str | None = None
) -> list[dict]:
    """The held-out figures that leave-one-source-out runs wrote (`held_out.json`), with each
    run's budget. A run whose folder is not on this machine keeps the figures the replaced
    bundle's card measured for it (`replaced`), marked as carried over from the bundle created
    at `replaced_created` (None: the entry stays as it was), never invented."""
    earlier = {entry.get("run"): entry for entry in replaced or []}
    out = []
    for run in run_dirs:
        path = Path(run) / "held_out.json"
        if not path.is_file():
            if run in earlier:
                log.warning(
                    "leave-one-out run %s is not here: its figures are carried over "
                    "from the card before",
                    run,
                )
                carried = earlier[run].get("carried_from", replaced_created)
                out.append({**earlier[run], **({"carried_from": carried} if carried else {})})
            else:
                log.warning(
                    "leave-one-out run %s has no held_out.json yet: left out of the card", run
                )
            continue
        held = json.loads(path.read_text(encoding="utf-8"))
        out.append(
            {
                "run": str(run),
                "source": held["source"],
                "pooled": held["pooled"],
                "sources": held["sources"],
                "recipe": run_recipe(Path(run)),
            }
        )
    return out


def run_recipe(run: Path) -> str:
    """A run's training budget in words, from its resolved config."""
    path = run / "config.yaml"
    if not path.is_file():
        return ""
    c = yaml.safe_load(path.read_text(encoding="utf-8"))
    start = (
        f"from {c['init_from']}"
        if c.get("init_from")
        else ("from ImageNet" if c.get("pretrained") else "from scratch")
    )
    return (
        f"{c['arch']} {start}, {c['epochs']} x {c['samples_per_epoch']:,} draws, "
        f"{c['freeze_stages']} stages frozen, lr {c['lr']}"
    )


def refresh_bundle(bundle_dir: str | Path, run_dirs: list[str] | None = None) -> list[dict]:
    """Rewrite the bundle's leave-one-out figures from `run_dirs` (default: the runs its
    training config lists) and its card with them; nothing else in the bundle changes."""
    bundle_dir = Path(bundle_dir)
    config = read_config(bundle_dir)
    if run_dirs is None:
        run_dirs = config.training.get("config", {}).get("leave_one_out_runs", [])
    if not run_dirs:
        raise ValueError(f"{bundle_dir}: no leave-one-out runs named, none in its config")
    loo = leave_one_out_figures(run_dirs, config.metrics.get("leave_one_out", []))
    metrics = {k: v for k, v in config.metrics.items() if k != "leave_one_out"}
    if loo:
        metrics["leave_one_out"] = loo
    config = config.model_copy(update={"metrics": metrics})
    write_config(config, bundle_dir)
    (bundle_dir / CARD_FILE).write_text(render_model_card(config), encoding="utf-8")
    return loo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", help="the bundle folder whose card gets the figures")
    parser.add_argument(
        "--runs",
        nargs="+",
        metavar="RUN",
        help="leave-one-source-out run folders (default: those its training config lists)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for run in refresh_bundle(args.bundle, args.runs):
        auc = run["pooled"].get("roc_auc")
        state = f"carried over from {run['carried_from']}" if run.get("carried_from") else "fresh"
        figure = "-" if auc is None else f"{auc:.4f}"
        print(f"without {run['source']}: ROC-AUC {figure} ({state}, {run['run']})")


if __name__ == "__main__":
    main()
