"""Post-training static int8 quantisation of each bundle's classifier, as an option.

`python -m training.quantize models --config training/configs/efficientnet_lite0.yaml`
exports each bundle's classifier to ONNX (`faceproof.compiled`), quantises it with ONNX
Runtime's static quantiser (QDQ format: int8 weights per output channel, uint8 activations,
ranges calibrated, by `--calibration-method` (percentile by default), on `--calibration`
served face crops drawn from the run's *training* split (`training.run_data`), every source
in its share, so the validation split the card reports stays unseen), writes
`model.int8.onnx` into the bundle and records it in `model.json` (`int8`: file, hashes,
method). Both ONNX Runtime and OpenVINO serve that file.

Nothing serves it by default until `make fast-path-check` has measured it: the service's
"auto" takes an int8 path only where the card shows ROC-AUC within 0.002 of fp32 on every
data set (`faceproof.runner_choice`). A file that check refuses is taken back with `--drop`
(file and record go, the card keeps the measured check).
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path

import numpy as np

from faceproof.bundle import (
    CARD_FILE,
    INT8_FILE,
    Bundle,
    Int8Model,
    find_bundles,
    load_bundle,
    write_config,
)
from faceproof.compiled import file_sha256, onnx_file, weights_digest
from faceproof.preprocess import make_preprocessor
from training.model_card import render_model_card
from training.run_data import (
    add_data_arguments,
    config_from_args,
    open_for_bundles,
    run_dir_from_args,
)

log = logging.getLogger("training.quantize")


def calibration_rows(train_idx: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """`n` training rows drawn evenly at random (every source in its share of the split)."""
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(train_idx, size=min(n, len(train_idx)), replace=False))


CALIBRATION_METHODS = ("minmax", "percentile", "entropy")


def quantize_bundle(
    bundle: Bundle,
    crops: list[np.ndarray],
    *,
    batch_size: int = 16,
    calibration: str = "percentile",
) -> Path:
    """Write the bundle's int8 ONNX file, calibrated on `crops` (RGB uint8) with
    `calibration` ranges (one of `CALIBRATION_METHODS`), and record it."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quant_pre_process,
        quantize_static,
    )

    methods = {
        "minmax": CalibrationMethod.MinMax,
        "percentile": CalibrationMethod.Percentile,
        "entropy": CalibrationMethod.Entropy,
    }
    preprocess = make_preprocessor(bundle.config)
    if len(crops) > batch_size:  # whole batches: the histogram calibrators need equal shapes
        crops = crops[: len(crops) // batch_size * batch_size]

    class Crops(CalibrationDataReader):
        def __init__(self):
            self.batches = iter(range(0, len(crops), batch_size))

        def get_next(self):
            start = next(self.batches, None)
            if start is None:
                return None
            return {"input": preprocess(crops[start : start + batch_size]).numpy()}

    out = bundle.path / INT8_FILE
    with tempfile.TemporaryDirectory(prefix="faceproof-quantize-") as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        quant_pre_process(str(onnx_file(bundle)), str(prepared), skip_symbolic_shape=True)
        quantize_static(
            str(prepared),
            str(Path(tmp) / "int8.onnx"),
            Crops(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=methods[calibration],
        )
        (Path(tmp) / "int8.onnx").replace(out)
    record = Int8Model(
        file=INT8_FILE,
        sha256=file_sha256(out),
        weights_sha256=weights_digest(bundle),
        method=f"onnxruntime quantize_static, QDQ, per-channel int8 weights, "
        f"uint8 activations, {calibration} calibration on training-split "
        f"crops",
        calibration_images=len(crops),
    )
    write_config(bundle.config.model_copy(update={"int8": record}), bundle.path)
    log.info(
        "%s: int8 file %s (%.1f MB) from %d calibration crops",
        bundle.name,
        out,
        out.stat().st_size / 1e6,
        len(crops),
    )
    return out


def drop_int8(bundle: Bundle) -> bool:
    """Remove the bundle's int8 file and its record, for a file `make fast-path-check` showed
    beyond the tolerance (or one not worth its size): the card keeps the measured check and
    is written again to say no int8 file ships. True when there was one."""
    had = bundle.config.int8 is not None or (bundle.path / INT8_FILE).exists()
    (bundle.path / INT8_FILE).unlink(missing_ok=True)
    if bundle.config.int8 is not None:
        config = bundle.config.model_copy(update={"int8": None})
        write_config(config, bundle.path)
        if config.training:  # a card training's export wrote (not a hand-made bundle's)
            (bundle.path / CARD_FILE).write_text(render_model_card(config), encoding="utf-8")
    if had:
        log.info("%s: int8 file and record removed", bundle.name)
    return had


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models_dir", type=Path, help="folder of bundles")
    add_data_arguments(
        parser,
        plain_data=False,
        config_help="a training config: its run's training split calibrates (not needed "
        "with --drop)",
        config_required=False,
    )
    parser.add_argument(
        "--calibration", type=int, default=320, help="calibration crops (whole batches of 16)"
    )
    parser.add_argument("--models", help="comma-separated bundle names (default: all)")
    parser.add_argument("--calibration-method", default="percentile", choices=CALIBRATION_METHODS)
    parser.add_argument(
        "--drop",
        action="store_true",
        help="remove the bundles' int8 files and records instead (after a failed check)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    wanted = {n for n in (args.models or "").split(",") if n}
    bundles = [
        load_bundle(f) for f in find_bundles(args.models_dir) if not wanted or f.name in wanted
    ]
    if not bundles:
        parser.error(f"no bundle to quantise in {args.models_dir}")
    if args.drop:
        dropped = [b.name for b in bundles if drop_int8(b)]
        print(f"int8 removed from: {', '.join(dropped) or 'none (no bundle had one)'}")
        return
    if not args.config:
        parser.error("--config is required to quantise (only --drop goes without it)")
    config = config_from_args(args)
    data = open_for_bundles(config, bundles, run_dir_from_args(args, config))
    crops = [
        np.asarray(data.images[i]) for i in calibration_rows(data.rows("train"), args.calibration)
    ]
    for bundle in bundles:
        quantize_bundle(bundle, crops, calibration=args.calibration_method)
    print("int8 files written; measure them with `make fast-path-check` before serving")


if __name__ == "__main__":
    main()
