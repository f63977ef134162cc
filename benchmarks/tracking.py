"""Metrics per second of the emulator's ``Run.log`` against MLflow's SQLite tracking store, at equal
durability.

Both log N scalar metrics into one run, one committed transaction per call, on a fresh database in
a temporary folder, at two durability levels:

* **process crash** (what the emulator promises: a commit survives a kill -9 of any process, see
  emulator/README.md): the emulator as it ships (WAL, ``synchronous=NORMAL``) against MLflow with
  ``synchronous=OFF`` in its default rollback journal, the fastest MLflow setting that still keeps
  a commit across a process crash;
* **power loss** (a commit survives the machine losing power): the emulator with
  ``synchronous=FULL`` against MLflow as it ships (rollback journal, ``synchronous=FULL``).

Target: the emulator at least 10x MLflow at the durability it promises (process crash). MLflow is
optional (the ``bench`` extra); it may live in another virtual environment, named by
``--mlflow-python`` (its pins clash with Prefect's). Without it only the emulator's figures print.

    python benchmarks/tracking.py [N] [--mlflow-python /path/to/venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

# (label, emulator's synchronous setting, MLflow's) per durability level
LEVELS = (("process crash", "NORMAL", "OFF"), ("power loss", "FULL", "FULL"))


def emulator_rate(n: int, folder: str, synchronous: str) -> float:
    os.environ["DUEL_EMULATOR_HOME"] = folder
    from emulator.core import Experiment, Workspace

    run = Experiment(Workspace("bench", "bench", synchronous.lower()), "bench").start_logging()
    # The store opens its connection per thread with NORMAL; FULL is set on that same connection.
    run._store._connection().execute(f"PRAGMA synchronous={synchronous}")
    started = time.perf_counter()
    for i in range(n):
        run.log("loss", 1.0 / (i + 1), step=i)
    elapsed = time.perf_counter() - started
    run.complete()
    return n / elapsed


def mlflow_rate(n: int, folder: str, synchronous: str) -> float:
    from mlflow.tracking import MlflowClient
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _durability(connection, _record):
        connection.execute(f"PRAGMA synchronous={synchronous}")

    client = MlflowClient(tracking_uri=f"sqlite:///{folder}/mlflow-{synchronous.lower()}.db")
    run = client.create_run(client.create_experiment("bench"))
    started = time.perf_counter()
    for i in range(n):
        client.log_metric(run.info.run_id, "loss", 1.0 / (i + 1), step=i)
    elapsed = time.perf_counter() - started
    event.remove(Engine, "connect", _durability)
    return n / elapsed


def _mlflow_rates(n: int, python: str | None) -> dict[str, float] | None:
    """MLflow's rate per synchronous setting, measured in ``python`` (this interpreter by default)."""
    command = [python or sys.executable, __file__, str(n), "--mlflow-only"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        if "No module named 'mlflow'" in done.stderr:
            return None
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=3000)
    parser.add_argument("--mlflow-python", help="a Python with MLflow installed (default: this one)")
    parser.add_argument("--mlflow-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mlflow_only:
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps({theirs: mlflow_rate(args.n, folder, theirs) for _, _, theirs in LEVELS}))
        return
    with tempfile.TemporaryDirectory() as folder:
        ours = {mode: emulator_rate(args.n, folder, mode) for _, mode, _ in LEVELS}
    theirs = _mlflow_rates(args.n, args.mlflow_python)
    print(f"{args.n} metrics, one commit each; load average {os.getloadavg()[0]:.1f}")
    for label, our_mode, their_mode in LEVELS:
        line = f"{label:>13}: emulator (WAL, synchronous={our_mode}) {ours[our_mode]:,.0f} metrics/s"
        if theirs is not None:
            ratio = ours[our_mode] / theirs[their_mode]
            line += f"; MLflow (rollback journal, synchronous={their_mode}) {theirs[their_mode]:,.0f} metrics/s; {ratio:.1f}x"
            if label == "process crash":
                line += f" (the durability the emulator promises; target >= 10x: {'met' if ratio >= 10 else 'MISSED'})"
        print(line)
    if theirs is None:
        print("mlflow: not installed (pip install '.[bench]' or --mlflow-python), no comparison")


if __name__ == "__main__":
    main()
