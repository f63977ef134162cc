"""How far past ``experiment_timeout_minutes`` an AutoML experiment ends (issue 13's budget).

    DUEL_DATA=../shared/data/housing.csv .venv/bin/python benchmarks/automl_budget.py [--seconds 60] [--rows 5000]

Submits an experiment that only the budget can stop (1,000 iterations, no early stopping, both
ensembles and the explanation on) and prints, against the budget: the parent run's lifetime
(creation to end), the caller's wall time (submit to ``wait_for_completion`` returning), what the
closing steps had to skip, and the load average, since on a busy machine everything is slower.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rows", type=int, default=5_000)
    args = parser.parse_args()
    os.environ["DUEL_EMULATOR_HOME"] = tempfile.mkdtemp(prefix="automl-budget-")

    from tasks.data import load_housing

    from emulator import relax
    from emulator.core import Experiment, Workspace
    from emulator.train.automl import AutoMLConfig
    from training.schema import LABEL

    data = load_housing(os.environ.get("DUEL_DATA"), subset=args.rows, seed=0)
    # Budgets under Azure's 15 minutes: the emulator's named relaxation, recorded on the run.
    relax.allow([relax.AUTOML_TIMEOUT])
    config = AutoMLConfig(
        task="regression",
        primary_metric="normalized_mean_absolute_error",
        training_data=data,
        label_column_name=LABEL,
        iterations=1000,
        max_concurrent_iterations=2,
        experiment_timeout_minutes=args.seconds / 60,
        enable_early_stopping=False,
        model_explainability=True,
    )
    experiment = Experiment(Workspace("bench", "bench", "automl-budget"), "budget")
    load_before = os.getloadavg()
    submitted = time.time()
    run = experiment.submit(config)
    run.wait_for_completion()
    returned = time.time()
    record = run._record()
    lifetime = record["end_time"] - record["created"]
    children = list(run.get_children())
    properties = run.get_properties()
    print(
        f"budget {args.seconds:.0f} s, {args.rows} rows, status {record['status']}, {len(children)} iterations"
    )
    print(f"parent run: {lifetime:.2f} s ({lifetime - args.seconds:+.2f} s against the budget)")
    print(f"caller:     {returned - submitted:.2f} s ({returned - submitted - args.seconds:+.2f} s)")
    print(
        f"closing steps ran: {[c.display_name for c in children if 'Ensemble' in c.display_name]}; "
        f"skipped: {properties.get('skipped') or 'nothing'}"
    )
    print(
        f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
