"""Rows per second of the exported graphs against the native models, at batch 1 and batch 1,000.

onnxruntime runs with one intra-op thread and inputs built from numpy arrays (as the scoring
service builds them); the native models predict from a DataFrame, their own input. Models: an
AutoML-winner-like LightGBM pipeline (the AutoML featurizer + a 600-tree LightGBM) and the
256/128 MLP. The target is a single-row speed-up of at least 10x over the scikit-learn pipeline.

    DUEL_DATA=../shared/data/housing.csv .venv/bin/python benchmarks/onnx_inference.py
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import onnxruntime as ort
import pandas as pd
from sklearn.pipeline import Pipeline

from emulator.train.automl.featurization import plan_featurization
from emulator.train.automl.models.boosting import Float32LGBMRegressor
from onnx_export import check_parity, layout_of, to_onnx
from onnx_export.mlp import mlp_to_onnx  # noqa: F401  (registers the MLP exporter)
from tasks.housing_csv import load_housing
from training.mlp import TorchMLPRegressor
from training.schema import FEATURE_COLUMNS, LABEL
from training.split import split_frame

BATCHES = (1, 1_000)


def rows_per_second(predict: Callable[[int, int], object], n_rows: int, batch: int, seconds: float) -> float:
    """Call ``predict(start, stop)`` on consecutive batches for about ``seconds``; rows scored per second."""
    done, start, began = 0, 0, time.perf_counter()
    while (elapsed := time.perf_counter() - began) < seconds or done == 0:
        stop = start + batch
        if stop > n_rows:
            start, stop = 0, batch
        predict(start, stop)
        done += batch
        start = stop
    return done / elapsed


def _session(onnx_model) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(onnx_model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def measure(name: str, model, test: pd.DataFrame, seconds: float) -> dict[str, float]:
    exported = to_onnx(model)
    report = check_parity(model, exported, test)
    session = _session(exported)
    # Fed as the graph's model_onnx.json says: one [N, 1] input per raw column.
    inputs = layout_of(exported).feed(test)
    # Pre-sliced one-row frames: the native model's own input, not counted as its overhead.
    frames = [test.iloc[i : i + 1] for i in range(min(len(test), 2_000))]

    def native(start: int, stop: int):
        return model.predict(frames[start] if stop - start == 1 else test.iloc[start:stop])

    def onnx(start: int, stop: int):
        return session.run(None, {name: values[start:stop] for name, values in inputs.items()})

    figures = {}
    for batch in BATCHES:
        limit = len(frames) if batch == 1 else len(test)
        figures[f"native_{batch}"] = rows_per_second(native, limit, batch, seconds)
        figures[f"onnx_{batch}"] = rows_per_second(onnx, limit, batch, seconds)
    print(f"\n{name}: parity max abs error {report.max_abs_error:.3g} dollars on {report.n_rows} rows")
    print(f"  {'batch':>6} {'native rows/s':>15} {'onnxruntime rows/s':>20} {'speed-up':>9}")
    for batch in BATCHES:
        native_rate, onnx_rate = figures[f"native_{batch}"], figures[f"onnx_{batch}"]
        print(f"  {batch:>6} {native_rate:>15,.0f} {onnx_rate:>20,.0f} {onnx_rate / native_rate:>8.1f}x")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time spent per measurement")
    parser.add_argument(
        "--mlp-epochs", type=int, default=30, help="MLP training epochs (speed does not depend on them)"
    )
    args = parser.parse_args()

    train, test, _ = split_frame(load_housing())
    X, y = train.loc[:, list(FEATURE_COLUMNS)], train[LABEL]
    test = test.loc[:, list(FEATURE_COLUMNS)]
    featurizer = plan_featurization(X).build()
    lightgbm = Float32LGBMRegressor(
        n_estimators=600,
        learning_rate=0.05,
        num_leaves=63,
        subsample=0.8,
        subsample_freq=1,
        n_jobs=1,
        verbose=-1,
    )
    automl_winner = Pipeline([("datatransformer", featurizer), ("LightGBM", lightgbm)]).fit(X, y)
    mlp = TorchMLPRegressor(epochs=args.mlp_epochs, n_threads=1, device="cpu").fit(X, y)

    lgbm = measure("AutoML-like LightGBM pipeline (600 trees)", automl_winner, test, args.seconds)
    measure("HyperDrive MLP 256/128", mlp, test, args.seconds)
    speed_up = lgbm["onnx_1"] / lgbm["native_1"]
    verdict = "meets" if speed_up >= 10 else "MISSES"
    print(f"\nSingle-row speed-up over the scikit-learn pipeline: {speed_up:.1f}x ({verdict} the 10x target)")


if __name__ == "__main__":
    main()
