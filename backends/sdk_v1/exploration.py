"""The exploration (``training/explore.py --models ...``), optionally after a sweep, as plain SDK v1 code."""

from __future__ import annotations

from azureml.core import Experiment, ScriptRunConfig, Workspace

from backends.messages import ExplorationJob, ExplorationOutcome, OnProgress, RunRef
from backends.sdk_v1 import environments
from backends.sdk_v1.clusters import compute_target
from backends.sdk_v1.jobs import distributed_config, follow, run_sweep


def exploration_config(ws: Workspace, job: ExplorationJob, arguments: list[str]) -> ScriptRunConfig:
    """The exploration script on the job's cluster in the training environment, distributed when asked."""
    return ScriptRunConfig(
        source_directory=job.source_directory,
        script="explore.py",
        arguments=arguments,
        compute_target=compute_target(ws, job.compute),
        environment=environments.registered(ws, environments.TRAINING),
        distributed_job_config=distributed_config(job.distribution),
    )


def _refit_arguments(job: ExplorationJob, best_run_id: str, leaderboard) -> list[str]:
    """The best trial's sampled hyperparameters as arguments (``["--lr", "0.001", ...]``)."""
    row = next(row for row in leaderboard if row["run"] == best_run_id)
    names = [name.lstrip("-") for name in job.sweep.parameter_space]
    return [str(item) for name in names for item in (f"--{name}", row[name])]


def run_exploration(
    ws: Workspace, job: ExplorationJob, on_progress: OnProgress | None = None
) -> ExplorationOutcome:
    """Run the sweep (if any) then the exploration script; wait for each; a failed run raises."""
    arguments, sweep = list(job.arguments), None
    if job.sweep is not None:
        sweep = run_sweep(ws, job.sweep, on_progress)
        arguments += _refit_arguments(job, sweep.best_run_id, sweep.leaderboard)
    run = Experiment(ws, job.experiment).submit(exploration_config(ws, job, arguments), tags=dict(job.tags))
    follow(run, job.children, on_progress)
    return ExplorationOutcome(
        run=RunRef(job.experiment, run.id), metrics=run.get_metrics(), tags=run.get_tags(), sweep=sweep
    )
