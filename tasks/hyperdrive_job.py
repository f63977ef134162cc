"""The HyperDrive contestant: a sweep of the PyTorch MLP training script on the GPU cluster."""

from __future__ import annotations

import json
from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact

from tasks.backend import compute_target, sdk
from tasks.caching import TRAINING_JOB
from tasks.datasets import DataRefs
from tasks.jobs import submit_and_follow
from tasks.settings import DuelSettings

TRAINING_DIR = Path(__file__).resolve().parents[1] / "training"
PRIMARY_METRIC = "val_mae"


def hyperdrive_config(settings: DuelSettings, ws, data: DataRefs):
    """The sweep: random search over the MLP's shape and optimiser, Bandit early termination."""
    api = sdk(settings.backend)
    script = api.ScriptRunConfig(
        source_directory=str(TRAINING_DIR),
        script="train_mlp.py",
        arguments=[
            "--dataset-name",
            data.train_name,
            "--dataset-version",
            str(data.train_version),
            "--epochs",
            str(settings.hyperdrive_epochs),
            "--seed",
            str(settings.split_seed),
        ],
        compute_target=compute_target(settings, ws, gpu=True),
    )
    sampling = api.RandomParameterSampling(
        {
            # benchmarks/hyperdrive.py measures this space: lr in [5e-4, 3e-3], weight decay in
            # [1e-6, 1e-3] (loguniform bounds are exponents).
            "--hidden-1": api.choice(256, 512),
            "--hidden-2": api.choice(128, 256),
            "--hidden-3": api.choice(0, 64),
            "--lr": api.loguniform(-7.6, -5.8),
            "--batch-size": api.choice(128, 256, 512),
            "--dropout": api.choice(0.0, 0.05),
            "--weight-decay": api.loguniform(-13.8, -6.9),
            "--loss": api.choice("l1", "huber"),
        }
    )
    return api.HyperDriveConfig(
        run_config=script,
        hyperparameter_sampling=sampling,
        policy=api.BanditPolicy(evaluation_interval=1, slack_factor=0.03, delay_evaluation=10),
        primary_metric_name=PRIMARY_METRIC,
        primary_metric_goal=api.PrimaryMetricGoal.MINIMIZE,
        max_total_runs=settings.hyperdrive_max_total_runs,
        max_concurrent_runs=settings.hyperdrive_max_concurrent_runs,
        max_duration_minutes=settings.hyperdrive_max_duration_minutes,
    )


@task(name="hyperdrive-sweep", cache_policy=TRAINING_JOB, persist_result=True)
def run_hyperdrive(settings: DuelSettings, data: DataRefs) -> str:
    """Submit the sweep, wait for it, publish its leaderboard; returns the best trial's run id."""
    sweep = submit_and_follow(
        settings,
        data,
        "hyperdrive",
        lambda ws: hyperdrive_config(settings, ws, data),
        settings.hyperdrive_max_total_runs,
    )
    best = sweep.get_best_run_by_primary_metric()
    if best is None:
        raise RuntimeError(f"HyperDrive sweep {sweep.id} ended with no trial that logged {PRIMARY_METRIC}")
    rows = [
        {
            "run": child["run_id"],
            "status": child["status"],
            PRIMARY_METRIC: child["best_primary_metric"],
            # The SDK returns each child's hyperparameters as a JSON string.
            **{k.lstrip("-"): v for k, v in json.loads(child["hyperparameters"]).items()},
        }
        for child in sweep.get_children_sorted_by_primary_metric()
    ]
    create_table_artifact(
        key="hyperdrive-leaderboard", table=rows, description=f"HyperDrive sweep {sweep.id}"
    )
    get_run_logger().info("best trial %s", best.id)
    return best.id
