"""AutoML emulator on the fixed split (seed 42, 20 % test), 60 s and 300 s budgets, beside peer figures.

    DUEL_DATA=../shared/data/housing.csv .venv/bin/python benchmarks/automl_search.py [--budgets 60 300]

Runs in a throw-away emulator home; prints the test MAE of each budget's best model.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from sklearn.metrics import mean_absolute_error

PEERS = {
    "LightGBM defaults": 32_157,
    "FLAML, 60 s": 30_139,
    "Optuna TPE over LightGBM, 60 s": 27_623,
    "tuned LightGBM, log target + ratio features": 27_592,
}


def run_budget(experiment, train, seconds: int, concurrency: int):
    from emulator.train.automl import AutoMLConfig
    from training.schema import LABEL

    config = AutoMLConfig(
        task="regression",
        primary_metric="normalized_mean_absolute_error",
        training_data=train,
        label_column_name=LABEL,
        experiment_timeout_minutes=seconds / 60,
        max_concurrent_iterations=concurrency,
        model_explainability=False,
    )
    started = time.monotonic()
    run = experiment.submit(config)
    run.wait_for_completion(show_output=False)
    best, model = run.get_output()
    return run, best, model, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=int, nargs="+", default=[60, 300])
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("DUEL_EMULATOR_HOME", tempfile.mkdtemp(prefix="automl-bench-"))

    from emulator.core import Experiment, Workspace
    from tasks.data import load_housing
    from tasks.split import split_frame
    from training.schema import FEATURE_COLUMNS, LABEL

    train, test, _ = split_frame(load_housing(os.environ.get("DUEL_DATA")), test_size=0.2, seed=42)
    experiment = Experiment(Workspace("bench", "bench", "automl-bench"), "automl-search")
    rows = []
    for seconds in args.budgets:
        run, best, model, wall = run_budget(experiment, train, seconds, args.concurrency)
        mae = mean_absolute_error(test[LABEL], model.predict(test[list(FEATURE_COLUMNS)]))
        iterations = len(list(run.get_children()))
        rows.append(
            (f"AutoML emulator, {seconds} s ({iterations} iterations, best: {best.display_name})", mae, wall)
        )
    print(f"\n{'contestant':<80} {'test MAE':>10} {'wall s':>8}")
    for name, mae in PEERS.items():
        print(f"{name:<80} {mae:>10,.0f} {'':>8}")
    for name, mae, wall in rows:
        print(f"{name:<80} {mae:>10,.0f} {wall:>8.0f}")


if __name__ == "__main__":
    main()
