"""Submit a training job and follow it to the end, with its progress in the Prefect UI."""

from __future__ import annotations

import time

from prefect import get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact

from tasks.backend import sdk, workspace
from tasks.datasets import DataRefs
from tasks.settings import DuelSettings

_TERMINAL = {"Completed", "Failed", "Canceled"}


def submit_and_follow(
    settings: DuelSettings, data: DataRefs, experiment_suffix: str, make_config, expected_children: int
):
    """Submit ``make_config(ws)`` and poll until the run ends; a failed or canceled job raises.

    The progress artifact counts finished child runs (trials, iterations) against the budget, so a
    long sweep shows how far it is in the flow run's page.
    """
    logger = get_run_logger()
    ws = workspace(settings)
    experiment = sdk(settings.backend).Experiment(ws, f"{settings.experiment_name}-{experiment_suffix}")
    run = experiment.submit(make_config(ws), tags={"split": data.split_fingerprint})
    logger.info("%s run %s submitted", experiment_suffix, run.id)
    progress = create_progress_artifact(
        progress=0.0, description=f"{experiment_suffix} {run.id}: finished children"
    )
    status = run.get_status()
    while status not in _TERMINAL:
        time.sleep(2.0)
        finished = sum(child.get_status() in _TERMINAL for child in run.get_children())
        update_progress_artifact(progress, progress=min(100.0, 100.0 * finished / max(1, expected_children)))
        status = run.get_status()
    update_progress_artifact(progress, progress=100.0)
    if status != "Completed":
        raise RuntimeError(
            f"{experiment_suffix} run {run.id} ended {status}: {run.get_details().get('error')}"
        )
    return run
