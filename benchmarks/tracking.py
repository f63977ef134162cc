"""Metrics per second of the emulator's ``Run.log`` against MLflow's SQLite tracking store.

Both log N scalar metrics into one run, one durable commit per call, on a fresh database in a
temporary folder. MLflow is optional (the ``bench`` extra); without it only the emulator's figure
is printed. Target: the emulator at least 10x MLflow's ``log_metric``.

    python benchmarks/tracking.py [N]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time


def emulator_rate(n: int, folder: str) -> float:
    os.environ["DUEL_EMULATOR_HOME"] = folder
    from emulator.core import Experiment, Workspace

    run = Experiment(Workspace("bench", "bench", "bench"), "bench").start_logging()
    started = time.perf_counter()
    for i in range(n):
        run.log("loss", 1.0 / (i + 1), step=i)
    elapsed = time.perf_counter() - started
    run.complete()
    return n / elapsed


def mlflow_rate(n: int, folder: str) -> float | None:
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        return None
    client = MlflowClient(tracking_uri=f"sqlite:///{folder}/mlflow.db")
    run = client.create_run(client.create_experiment("bench"))
    started = time.perf_counter()
    for i in range(n):
        client.log_metric(run.info.run_id, "loss", 1.0 / (i + 1), step=i)
    return n / (time.perf_counter() - started)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as folder:
        ours = emulator_rate(n, folder)
        theirs = mlflow_rate(n, folder)
    print(f"emulator Run.log: {ours:,.0f} metrics/s ({n} metrics)")
    if theirs is None:
        print("mlflow: not installed (pip install '.[bench]'), no comparison")
    else:
        print(
            f"mlflow log_metric (sqlite): {theirs:,.0f} metrics/s; ratio {ours / theirs:.1f}x (target >= 10x)"
        )


if __name__ == "__main__":
    main()
