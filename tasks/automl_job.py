"""The AutoML contestant: a regression AutoML job on the CPU cluster, ONNX-compatible models only."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.states import State

from backends.messages import AutoMLJob, ClusterSpec, JobFailed, JobOutcome
from tasks.caching import TRAINING_JOB
from tasks.gave_up import no_model
from tasks.opened import opened_backend
from tasks.progress import ProgressArtifact
from tasks.registered_split import DataRefs
from tasks.settings import DuelSettings
from training.schema import LABEL

PRIMARY_METRIC = "normalized_mean_absolute_error"


def automl_job(settings: DuelSettings, data: DataRefs, compute: ClusterSpec) -> AutoMLJob:
    """The AutoML job's request for the backend.

    Args:
        settings: the run's settings.
        data: the registered train and test splits.
        compute: the cluster it runs on.

    Returns:
        The job: experiment, training split, label, metric, budget and allowed models.
    """
    return AutoMLJob(
        experiment=f"{settings.experiment_name}-automl",
        training=data.train,
        label=LABEL,
        primary_metric=PRIMARY_METRIC,
        compute=compute,
        timeout_minutes=settings.automl_minutes,
        iterations=settings.automl_iterations,
        max_concurrent_iterations=settings.automl_max_concurrent_iterations,
        allowed_models=tuple(settings.automl_allowed_models or ()),
        tags={"split": data.split_fingerprint},
    )


@task(name="automl-job", cache_policy=TRAINING_JOB, persist_result=True)
def run_automl(settings: DuelSettings, data: DataRefs) -> JobOutcome | State:
    """Submit the AutoML job, wait, publish the leaderboard; returns the parent run and its best child.

    Args:
        settings: the run's settings.
        data: the registered train and test splits.

    Returns:
        The parent run and its best child, or a failed state saying which setting to raise when the
        job scored no model.
    """
    backend = opened_backend(settings)
    try:
        outcome = backend.run_automl(
            automl_job(settings, data, backend.cpu_cluster), ProgressArtifact("automl")
        )
    except JobFailed as error:
        return no_model(
            "AutoML",
            error,
            f"Give it more time: automl_timeout_minutes is {settings.automl_minutes:g} "
            "(`duel run --automl-timeout-minutes`, or DUEL_AUTOML_TIMEOUT_MINUTES without --quick)",
        )
    create_table_artifact(
        key="automl-leaderboard",
        table=list(outcome.leaderboard),
        description=f"AutoML run {outcome.job.run_id}",
    )
    return outcome
