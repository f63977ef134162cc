"""The AutoML contestant: a regression AutoML job on the CPU cluster, ONNX-compatible models only."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact

from tasks.backend import compute_target, sdk
from tasks.caching import TRAINING_JOB
from tasks.datasets import DataRefs
from tasks.jobs import submit_and_follow
from tasks.settings import DuelSettings
from training.schema import LABEL

PRIMARY_METRIC = "normalized_mean_absolute_error"


def automl_config(settings: DuelSettings, ws, data: DataRefs):
    api = sdk(settings.backend)
    training = api.Dataset.get_by_name(ws, data.train_name, version=data.train_version)
    options = {}
    if settings.automl_allowed_models:
        options["allowed_models"] = settings.automl_allowed_models
    return api.AutoMLConfig(
        task="regression",
        primary_metric=PRIMARY_METRIC,
        training_data=training,
        label_column_name=LABEL,
        compute_target=compute_target(settings, ws, gpu=False),
        experiment_timeout_minutes=settings.automl_timeout_minutes,
        iterations=settings.automl_iterations,
        max_concurrent_iterations=settings.automl_max_concurrent_iterations,
        enable_early_stopping=True,
        enable_onnx_compatible_models=True,
        featurization="auto",
        **options,
    )


@task(name="automl-job", cache_policy=TRAINING_JOB, persist_result=True)
def run_automl(settings: DuelSettings, data: DataRefs) -> str:
    """Submit the AutoML job, wait, publish the leaderboard; returns the AutoML parent run id."""
    run = submit_and_follow(
        settings, data, "automl", lambda ws: automl_config(settings, ws, data), settings.automl_iterations
    )
    rows = []
    for child in run.get_children():
        metrics = child.get_metrics()
        if PRIMARY_METRIC in metrics:
            rows.append(
                {
                    "iteration": child.properties.get("iteration", ""),
                    "pipeline": child.properties.get("run_algorithm", child.display_name or ""),
                    PRIMARY_METRIC: metrics[PRIMARY_METRIC],
                    "mean_absolute_error": metrics.get("mean_absolute_error"),
                    "status": child.get_status(),
                }
            )
    rows.sort(key=lambda row: row[PRIMARY_METRIC])
    create_table_artifact(key="automl-leaderboard", table=rows, description=f"AutoML run {run.id}")
    return run.id
