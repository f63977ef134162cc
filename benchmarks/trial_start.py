"""A HyperDrive trial's fixed cost: process start, imports and data load, before its first epoch.

Each trial runs a script that does what ``training/train_mlp.py`` does before training (imports
the MLP's modules, reads the housing CSV and splits it) and ends. The same trials run one at a
time through the emulator's local executor twice: forked from the warm interpreter (the default)
and as fresh interpreters (``warm=False``). Printed: seconds per trial from submission to
Completed, each way. Target on 2 cores: <= 2 s.

    DUEL_DATA=/path/housing.csv .venv/bin/python benchmarks/trial_start.py [--trials N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import textwrap
import time
from pathlib import Path

_SCRIPT = textwrap.dedent(
    """
    import os
    from azureml.core import Run
    from training import mlp  # torch, scikit-learn, pandas: what the MLP trial imports
    from training.split import split_frame
    import pandas as pd

    train, _, _ = split_frame(pd.read_csv(os.environ["DUEL_DATA"]))
    Run.get_context().log("rows", len(train))
    """
)


def trial_seconds(experiment, config, executor, trials: int) -> list[float]:
    from emulator.core.run import Run

    parent = experiment.start_logging()
    executor.open()
    try:
        timings = []
        for i in range(trials):
            started = time.perf_counter()
            run_id = f"{parent.id}_{i}"
            executor.start(experiment, config, parent=parent, run_id=run_id, arguments=[], cores=[])
            run = Run(experiment, run_id)
            run.wait_for_completion()
            if run.get_status() != "Completed":
                raise SystemExit(run.get_details())
            timings.append(time.perf_counter() - started)
        return timings
    finally:
        executor.close()
        parent.complete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="duel-trial-bench-") as folder:
        os.environ["DUEL_EMULATOR_HOME"] = f"{folder}/home"
        source = Path(folder) / "source"
        source.mkdir()
        (source / "trial.py").write_text(_SCRIPT)
        from emulator.core import Experiment, ScriptRunConfig, Workspace
        from emulator.train.hyperdrive._executors import _LocalProcessExecutor

        experiment = Experiment(Workspace("bench", "bench", "bench"), "trial-start")
        config = ScriptRunConfig(source_directory=str(source), script="trial.py")
        results = {}
        for label, warm in (("warm fork", True), ("fresh interpreter", False)):
            results[label] = trial_seconds(experiment, config, _LocalProcessExecutor(warm=warm), args.trials)
    print(f"{args.trials} trials one at a time; load average {os.getloadavg()[0]:.1f}")
    for label, timings in results.items():
        # The first warm trial waits for the warm interpreter's own imports; later ones do not.
        print(
            f"{label:>17}: median {statistics.median(timings):.2f} s per trial "
            f"(first {timings[0]:.2f} s, all {', '.join(f'{t:.2f}' for t in timings)}); target <= 2 s"
        )


if __name__ == "__main__":
    main()
