"""The HyperDrive contestant: a sweep of the PyTorch MLP training script on the GPU cluster."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.states import State

from backends.messages import Bandit, ClusterSpec, JobFailed, JobOutcome, SweepJob
from tasks.caching import TRAINING_JOB
from tasks.gave_up import no_model
from tasks.opened import opened_backend
from tasks.progress import ProgressArtifact
from tasks.registered_split import DataRefs
from tasks.settings import DuelSettings
from training import SOURCE_DIRECTORY

PRIMARY_METRIC = "val_mae"
# benchmarks/hyperdrive.py measures this space: lr in [5e-4, 3e-3], weight decay in [1e-6, 1e-3]
# (loguniform bounds are exponents).
PARAMETER_SPACE = {
    "--hidden-1": ("choice", (256, 512)),
    "--hidden-2": ("choice", (128, 256)),
    "--hidden-3": ("choice", (0, 64)),
    "--lr": ("loguniform", (-7.6, -5.8)),
    "--batch-size": ("choice", (128, 256, 512)),
    "--dropout": ("choice", (0.0, 0.05)),
    "--weight-decay": ("loguniform", (-13.8, -6.9)),
    "--loss": ("choice", ("l1", "huber")),
}


# benchmarks/hyperdrive.py chose the slack (and replays it): the MLP's trials end within ~3 % of one
# another.
BANDIT = Bandit(evaluation_interval=1, slack_factor=0.02, delay_evaluation=10)


def sweep_job(settings: DuelSettings, data: DataRefs, compute: ClusterSpec) -> SweepJob:
    """The sweep: random search over the MLP's shape and optimiser, Bandit early termination.

    Args:
        settings: the run's settings.
        data: the registered train and test splits.
        compute: the cluster the trials run on.

    Returns:
        The sweep job.
    """
    return SweepJob(
        experiment=f"{settings.experiment_name}-hyperdrive",
        source_directory=str(SOURCE_DIRECTORY),
        script="train_mlp.py",
        arguments=(
            "--dataset-name",
            data.train.name,
            "--dataset-version",
            str(data.train.version),
            "--epochs",
            str(settings.hyperdrive_epochs),
            "--seed",
            str(settings.split_seed),
        ),
        compute=compute,
        parameter_space=PARAMETER_SPACE,
        policy=BANDIT,
        primary_metric=PRIMARY_METRIC,
        max_total_runs=settings.hyperdrive_max_total_runs,
        max_concurrent_runs=settings.hyperdrive_max_concurrent_runs,
        max_duration_minutes=settings.hyperdrive_max_duration_minutes,
        tags={"split": data.split_fingerprint},
    )


@task(name="hyperdrive-sweep", cache_policy=TRAINING_JOB, persist_result=True)
def run_hyperdrive(settings: DuelSettings, data: DataRefs) -> JobOutcome | State:
    """Submit the sweep, wait for it, publish its leaderboard; returns the sweep and its best trial.

    Args:
        settings: the run's settings.
        data: the registered train and test splits.

    Returns:
        The sweep run and its best trial, or a failed state naming the settings to look at when no
        trial scored.
    """
    backend = opened_backend(settings)
    try:
        outcome = backend.run_sweep(
            sweep_job(settings, data, backend.gpu_cluster), ProgressArtifact("hyperdrive")
        )
    except JobFailed as error:
        return no_model(
            "HyperDrive",
            error,
            "See its trials' logs; give it more time with hyperdrive_max_duration_minutes "
            f"(now {settings.hyperdrive_max_duration_minutes}, DUEL_HYPERDRIVE_MAX_DURATION_MINUTES)",
        )
    create_table_artifact(
        key="hyperdrive-leaderboard",
        table=list(outcome.leaderboard),
        description=f"HyperDrive sweep {outcome.job.run_id}",
    )
    get_run_logger().info("best trial %s", outcome.best_run_id)
    return outcome
