"""Following a job: the best figure a progress line prints is the one the sweep ranks its trials by."""

from __future__ import annotations

import textwrap

TRIAL = """
import argparse
from azureml.core import Run

parser = argparse.ArgumentParser()
parser.add_argument("--width", type=int)
args = parser.parse_args()
run = Run.get_context()
# The last epoch is worse than the best one: a progress line reading the last value would differ.
for value in (300.0, 100.0 + args.width, 200.0 + args.width):
    run.log("val_mae", value)
"""


def test_progress_best_is_the_sweeps_best_primary_metric_not_a_last_epoch(emulator_backend, tmp_path):
    from azureml.core import Experiment, ScriptRunConfig
    from azureml.train.hyperdrive import (
        GridParameterSampling,
        HyperDriveConfig,
        PrimaryMetricGoal,
        choice,
    )

    from backends.sdk_v1.jobs import follow

    source = tmp_path / "source"
    source.mkdir()
    (source / "trial.py").write_text(textwrap.dedent(TRIAL))
    config = HyperDriveConfig(
        run_config=ScriptRunConfig(source_directory=str(source), script="trial.py"),
        hyperparameter_sampling=GridParameterSampling({"--width": choice(7, 9)}),
        primary_metric_name="val_mae",
        primary_metric_goal=PrimaryMetricGoal.MINIMIZE,
        max_total_runs=2,
        max_concurrent_runs=2,
    )
    sweep = Experiment(emulator_backend.workspace, "best").submit(config)
    seen = []
    follow(sweep, 2, seen.append, metric="val_mae")
    ranked = sweep.get_children_sorted_by_primary_metric()
    assert seen[-1].best == ranked[0]["best_primary_metric"] == 107.0
    assert (seen[-1].finished, seen[-1].failed, seen[-1].ended) == (2, 0, True)
