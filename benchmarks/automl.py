"""AutoML emulator against FLAML on the fixed split (seed 42, 20 % test), same budget, same run.

    DUEL_DATA=../shared/data/housing.csv .venv/bin/python benchmarks/automl.py [--seconds 300] [--cores 2]

Both get ``--seconds`` of search on ``--cores`` cores, one after the other so neither slows the
other. The emulator runs as the comparison flow runs it (``enable_onnx_compatible_models=True``,
in a throw-away emulator home); its best model is also exported to ONNX and checked for parity.
FLAML (the ``bench`` extra) minimizes MAE on the raw features with its default estimators.
Prints both test MAEs and the emulator's margin (target: test MAE <= 24,500 and >= 15 % below FLAML),
the emulator job's own time from submission to its end (target: within the budget, ensembles and
ONNX copy included) and the load average at the start and the end (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
from sklearn.metrics import mean_absolute_error

TARGET_MAE, TARGET_MARGIN = 24_500, 0.15


def run_emulator(train, test, seconds: int, cores: int) -> dict:
    from emulator import relax
    from emulator.core import Experiment, Workspace
    from emulator.train.automl import AutoMLConfig
    from onnx_export import check_parity, to_onnx
    from training.schema import FEATURE_COLUMNS, LABEL

    # Budgets under Azure's 15 minutes: the emulator's named relaxation, recorded on the run.
    relax.allow([relax.AUTOML_TIMEOUT])
    config = AutoMLConfig(
        task="regression",
        primary_metric="normalized_mean_absolute_error",
        training_data=train,
        label_column_name=LABEL,
        experiment_timeout_minutes=seconds / 60,
        max_concurrent_iterations=cores,
        enable_onnx_compatible_models=True,
        model_explainability=False,
    )
    experiment = Experiment(Workspace("bench", "bench", "automl-bench"), "automl-vs-flaml")
    started = time.monotonic()
    run = experiment.submit(config)
    run.wait_for_completion(show_output=False)
    wall = time.monotonic() - started
    record = run._record()
    job = record["end_time"] - record["created"]
    best, model = run.get_output()
    features = test[list(FEATURE_COLUMNS)]
    parity = check_parity(model, to_onnx(model), features)
    return {
        "mae": mean_absolute_error(test[LABEL], model.predict(features)),
        "wall": wall,
        "detail": f"{len(list(run.get_children()))} iterations, best: {best.display_name}; "
        f"ONNX parity {'passed' if parity.passed else 'FAILED'}, max abs error {parity.max_abs_error:.2f} $; "
        f"job {job:.1f} s from submission to end ({'within' if job <= seconds else 'OVER'} the budget)",
    }


def run_flaml(train, test, seconds: int, cores: int) -> dict:
    from flaml import AutoML

    from training.schema import CATEGORICAL_COLUMN, FEATURE_COLUMNS, LABEL

    def frame(data):
        return data[list(FEATURE_COLUMNS)].astype({CATEGORICAL_COLUMN: "category"})

    automl = AutoML()
    started = time.monotonic()
    automl.fit(
        frame(train), train[LABEL], task="regression", metric="mae", time_budget=seconds, n_jobs=cores,
        seed=42, verbose=0,
    )  # fmt: skip
    wall = time.monotonic() - started
    return {
        "mae": mean_absolute_error(test[LABEL], np.asarray(automl.predict(frame(test)))),
        "wall": wall,
        "detail": f"best: {automl.best_estimator}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("DUEL_EMULATOR_HOME", tempfile.mkdtemp(prefix="automl-bench-"))

    from tasks.housing_csv import load_housing
    from training.split import split_frame

    train, test, fingerprint = split_frame(load_housing(os.environ.get("DUEL_DATA")), test_size=0.2, seed=42)
    print(f"split: {len(train)} train / {len(test)} test rows, fingerprint {fingerprint}", flush=True)
    print(f"load average at the start {os.getloadavg()[0]:.2f}", flush=True)
    results = {}
    for name, contestant in (("FLAML", run_flaml), ("AutoML emulator", run_emulator)):
        results[name] = contestant(train, test, args.seconds, args.cores)
        print(f"{name}: test MAE {results[name]['mae']:,.0f} ({results[name]['detail']})", flush=True)
    print(
        f"\n{'contestant':<18} {'test MAE':>10} {'wall s':>8}  ({args.seconds} s budget, {args.cores} cores)"
    )
    for name, result in results.items():
        print(f"{name:<18} {result['mae']:>10,.0f} {result['wall']:>8.0f}  {result['detail']}")
    ours, flaml = results["AutoML emulator"]["mae"], results["FLAML"]["mae"]
    margin = 1 - ours / flaml
    print(
        f"\nemulator vs FLAML: {margin:+.1%} lower MAE (target >= {TARGET_MARGIN:.0%}); "
        f"emulator MAE {'<=' if ours <= TARGET_MAE else '>'} {TARGET_MAE:,} target; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
