"""Exploration benchmark: real emulated runs of ``training/explore.py`` and of the distributed MLP.

Parts (``--part``, repeatable; both by default):

* ``models``: the 15-model ``sklearnmodels`` exploration (15 child runs, the parent's comparison
  and the winner's permutation importance) on ``--subset`` training rows, fitted one at a time
  (``--max-concurrent-models 1``) and then two at a time; wall time of each run and the speed-up;
* ``ddp``: ``train_mlp.py`` on the whole training split as 1 process (with torch threads on every
  core, and with 1 thread) and as 2 gloo ranks of 1 thread each (``PyTorchConfiguration``): the
  median epoch time, read off the times at which rank 0 logged ``val_mae`` (so process start-up
  and data loading are not counted), and the validation MAE.

Every figure is printed with the load average (1-minute) before and after it: the machine may be
shared, and two processes cannot run faster than the cores they get.

    DUEL_DATA=../shared/data/housing.csv .venv/bin/python benchmarks/exploration.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAINING = ROOT / "training"


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def _experiment(name: str):
    from emulator.core import Experiment, Workspace

    return Experiment(Workspace("bench", "bench-rg", "exploration-bench"), name)


def _submit(experiment, script: str, arguments: list[str], distributed=None):
    from emulator.core import ScriptRunConfig

    config = ScriptRunConfig(str(TRAINING), script, arguments=arguments, distributed_job_config=distributed)
    started = time.perf_counter()
    run = experiment.submit(config)
    run.wait_for_completion(raise_on_error=True)
    return run, time.perf_counter() - started


def bench_models(data: str, subset: int) -> None:
    experiment = _experiment("bench-sklearnmodels")
    seconds = {}
    for workers in (1, 2):
        load = _load()
        run, seconds[workers] = _submit(
            experiment,
            "explore.py",
            [
                "--models",
                "sklearnmodels",
                "--data",
                data,
                "--subset",
                str(subset),
                "--max-concurrent-models",
                str(workers),
            ],
        )
        best = run.get_tags()["best_model"]
        print(
            f"15 models, {subset} rows, {workers} at a time: {seconds[workers]:.1f} s "
            f"(best {best}, test MAE {run.get_metrics()['best_MAE']:,.0f}; load {load} -> {_load()})",
            flush=True,
        )
    print(f"concurrent speed-up on {os.cpu_count()} cores: {seconds[1] / seconds[2]:.2f}x", flush=True)


def _epoch_seconds(run) -> float:
    times = [row["time"] for row in run._get_metric_rows("val_mae")]
    return statistics.median(b - a for a, b in zip(times, times[1:], strict=False))


def bench_ddp(data: str, epochs: int) -> None:
    from emulator.core.runconfig import PyTorchConfiguration

    experiment = _experiment("bench-ddp")
    arguments = [
        "--data",
        data,
        "--epochs",
        str(epochs),
        "--patience",
        str(epochs),
        "--feature-engineering",
        "1",
    ]
    per_epoch = {}
    # (processes, torch threads per process): one process on all cores, one on one core, two on one each.
    for processes, threads in ((1, 0), (1, 1), (2, 0)):
        load = _load()
        distributed = PyTorchConfiguration("Gloo", process_count=processes) if processes > 1 else None
        run, wall = _submit(experiment, "train_mlp.py", [*arguments, "--threads", str(threads)], distributed)
        label = f"{processes} process(es), {'1 thread' if threads == 1 else 'threads = cores / ranks'}"
        per_epoch[processes, threads] = _epoch_seconds(run)
        print(
            f"MLP 256/128, full training split, {label}: {per_epoch[processes, threads]:.2f} s/epoch "
            f"(median of {epochs - 1}), run {wall:.1f} s, val MAE {run.get_metrics()['MAE']:,.0f}; "
            f"load {load} -> {_load()}",
            flush=True,
        )
    print(
        f"epoch time, 2 processes / 1 process: {per_epoch[2, 0] / per_epoch[1, 0]:.2f} "
        f"(against the 1-thread process: {per_epoch[2, 0] / per_epoch[1, 1]:.2f})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", action="append", choices=("models", "ddp"))
    parser.add_argument("--subset", type=int, default=5000, help="training rows of the models part")
    parser.add_argument("--epochs", type=int, default=6, help="epochs of the ddp part")
    args = parser.parse_args()
    data = os.environ.get("DUEL_DATA")
    if not data:
        raise SystemExit("set DUEL_DATA to housing.csv")
    os.environ.setdefault("DUEL_EMULATOR_HOME", tempfile.mkdtemp(prefix="exploration-bench-"))
    print(f"cores: {os.cpu_count()}  load average at start: {_load()}", flush=True)
    for part in args.part or ("models", "ddp"):
        {"models": lambda: bench_models(data, args.subset), "ddp": lambda: bench_ddp(data, args.epochs)}[
            part
        ]()


if __name__ == "__main__":
    main()
