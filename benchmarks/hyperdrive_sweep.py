"""HyperDrive benchmark: real sweeps of the PyTorch MLP on the full data, in the emulator.

Prints, on the fixed split (seed 42, 20 % test):
* the best trial's test MAE and the sweep's wall time (16 seeded random trials, 2 at a time);
* Bandit's saving: trial-epochs and best test MAE of the same seeded sweep with and without
  ``BanditPolicy`` (targets: >= 30 % fewer epochs, best MAE within 2 %);
* the speed-up of 2 concurrent trials over 1 on a fixed 4-trial grid (target >= 1.7x on 2 cores).

    DUEL_DATA=../shared/data/housing.csv .venv/bin/python benchmarks/hyperdrive_sweep.py

Each part can be skipped (``--skip-bandit``, ``--skip-speedup``); budgets are arguments.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def sdk():
    from emulator import core
    from emulator.train import hyperdrive

    return core, hyperdrive


def script(data: str, epochs: int, *extra: str):
    core, _ = sdk()
    arguments = ["--data", data, "--epochs", str(epochs), "--patience", "25", "--seed", "42", *extra]
    return core.ScriptRunConfig(
        source_directory=str(ROOT / "training"), script="train_mlp.py", arguments=arguments
    )


def search_space():
    _, hd = sdk()
    return {
        "--hidden-1": hd.choice(256, 512),
        "--hidden-2": hd.choice(128, 256),
        "--lr": hd.loguniform(math.log(3e-4), math.log(3e-3)),
        "--batch-size": hd.choice(128, 256),
        "--dropout": hd.choice(0.0, 0.05),
        "--weight-decay": hd.loguniform(math.log(1e-6), math.log(1e-3)),
        "--loss": hd.choice("l1", "huber"),
        "--feature-engineering": hd.choice(0, 1),
    }


def sweep(experiment, run_config, sampling, *, trials: int, concurrency: int, policy=None):
    """Submit, wait, and return (HyperDriveRun, wall seconds)."""
    _, hd = sdk()
    config = hd.HyperDriveConfig(
        run_config=run_config,
        hyperparameter_sampling=sampling,
        policy=policy,
        primary_metric_name="val_mae",
        primary_metric_goal=hd.PrimaryMetricGoal.MINIMIZE,
        max_total_runs=trials,
        max_concurrent_runs=concurrency,
    )
    started = time.perf_counter()
    run = experiment.submit(config)
    run.wait_for_completion(show_output=True)
    return run, time.perf_counter() - started


def test_mae(run, test: pd.DataFrame) -> float:
    from training import mlp
    from training.schema import FEATURE_COLUMNS, LABEL

    best = run.get_best_run_by_primary_metric()
    with tempfile.TemporaryDirectory() as folder:
        best.download_files(prefix="outputs/model", output_directory=folder)
        model = mlp.load(Path(folder) / "outputs" / "model")
    return float(np.mean(np.abs(model.predict(test[list(FEATURE_COLUMNS)]) - test[LABEL])))


def trial_epochs(run) -> int:
    return sum(len(np.atleast_1d(m.get("val_mae", []))) for m in run.get_metrics().values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--skip-bandit", action="store_true")
    parser.add_argument("--skip-speedup", action="store_true")
    args = parser.parse_args()
    data = os.environ.get("DUEL_DATA") or str(ROOT.parent / "shared" / "data" / "housing.csv")
    os.environ.setdefault("DUEL_EMULATOR_HOME", tempfile.mkdtemp(prefix="hyperdrive-bench-"))
    from tasks.split import split_frame

    core, hd = sdk()
    _, test, _ = split_frame(pd.read_csv(data), 0.2, 42)
    experiment = core.Experiment(core.Workspace("bench", "bench", "hyperdrive-bench"), "mlp-sweep")
    sampling = hd.RandomParameterSampling(search_space(), properties={"rndseed": 42})

    plain, plain_wall = sweep(
        experiment, script(data, args.epochs), sampling, trials=args.trials, concurrency=args.concurrency
    )
    plain_mae = test_mae(plain, test)
    print(
        f"\nsweep: {args.trials} trials, {args.concurrency} at a time: best test MAE {plain_mae:,.0f} "
        f"(target <= 31,000), wall {plain_wall:.0f} s, {trial_epochs(plain)} trial-epochs"
    )

    if not args.skip_bandit:
        policy = hd.BanditPolicy(evaluation_interval=2, slack_factor=0.1, delay_evaluation=20)
        bandit, bandit_wall = sweep(
            experiment,
            script(data, args.epochs),
            sampling,
            trials=args.trials,
            concurrency=args.concurrency,
            policy=policy,
        )
        bandit_mae = test_mae(bandit, test)
        saving = 1 - trial_epochs(bandit) / trial_epochs(plain)
        print(
            f"bandit: best test MAE {bandit_mae:,.0f} ({bandit_mae / plain_mae - 1:+.1%} vs no termination, "
            f"target within 2 %), {trial_epochs(bandit)} trial-epochs ({saving:.0%} fewer, target >= 30 %), "
            f"wall {bandit_wall:.0f} s"
        )

    if not args.skip_speedup:
        grid = hd.GridParameterSampling(
            {"--hidden-1": hd.choice(128, 256), "--batch-size": hd.choice(256, 512)}
        )
        fixed = script(data, 30, "--patience", "1000")
        _, one = sweep(experiment, fixed, grid, trials=4, concurrency=1)
        _, two = sweep(experiment, fixed, grid, trials=4, concurrency=2)
        print(
            f"speed-up: 4 fixed trials take {one:.0f} s one at a time, {two:.0f} s two at a time: "
            f"{one / two:.2f}x (target >= 1.7x)"
        )


if __name__ == "__main__":
    main()
