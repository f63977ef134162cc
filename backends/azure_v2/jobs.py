"""Submit the AutoML job and the sweep with ``MLClient``, and follow each to its end.

Following means: the parent's status until it is terminal, its child jobs as they finish (the
progress), then the best child (``best_child_run_id`` of a sweep, ``automl_best_child_run_id`` of
AutoML) and every child's primary metric from the run history's metric service.
"""

from __future__ import annotations

from azure.ai.ml import MLClient
from azure.ai.ml.entities import AmlCompute, Job
from azure.core.exceptions import ClientAuthenticationError, ResourceNotFoundError

from backends.azure_v2 import environments, specs
from backends.azure_v2.private import metric_values
from backends.credentials import CredentialError
from backends.messages import (
    AutoMLJob,
    ClusterSpec,
    JobFailed,
    JobOutcome,
    JobTiming,
    OnProgress,
    Progress,
    RunRef,
    SweepJob,
)
from backends.polling import Backoff

# azure-ai-ml's RunHistoryConstants.TERMINAL_STATUSES: nothing changes after these.
TERMINAL_STATES = frozenset({"Completed", "Failed", "Canceled", "NotResponding", "Paused"})
SWEEP_BEST_CHILD = "best_child_run_id"
AUTOML_BEST_CHILD = "automl_best_child_run_id"
POLL_SECONDS = 10.0


class JobFailedError(JobFailed):
    """A job ended in a state other than Completed; the message names the job, the state and its studio page."""


def ensure_cluster(ml_client: MLClient, cluster: ClusterSpec) -> str:
    """The cluster's name, created first if the workspace has none of that name."""
    try:
        ml_client.compute.get(cluster.name)
    except ResourceNotFoundError:
        ml_client.compute.begin_create_or_update(
            AmlCompute(
                name=cluster.name,
                size=cluster.vm_size,
                min_instances=cluster.min_nodes,
                max_instances=cluster.max_nodes,
                idle_time_before_scale_down=cluster.idle_seconds,
            )
        ).result()
    return cluster.name


def _counted(name: str, children: list, expected: int, ended: bool = False) -> Progress:
    """What the children did: ended, started, cancelled, failed (never the budget as if spent)."""
    statuses = [getattr(child.status, "value", child.status) for child in children]
    return Progress(
        name,
        sum(status in TERMINAL_STATES for status in statuses),
        expected,
        started=len(statuses),
        canceled=statuses.count("Canceled"),
        failed=statuses.count("Failed"),
        ended=ended,
    )


def cancel(ml_client: MLClient, name: str) -> bool:
    """Cancel job ``name`` (and its children) unless it has ended; True when it was active."""
    status = ml_client.jobs.get(name).status
    if getattr(status, "value", status) in TERMINAL_STATES:
        return False
    ml_client.jobs.begin_cancel(name).result()
    return True


def follow(ml_client: MLClient, name: str, expected: int, on_progress: OnProgress | None = None) -> Job:
    """Poll job ``name`` until it is terminal, reporting its finished children; not Completed raises.

    A poll is two calls however many children there are (the parent, and one listing of its
    children, each with its status); the interval grows while nothing changes
    (:class:`backends.polling.Backoff`), and azure-core's retry policy waits out a 429's
    ``Retry-After``."""
    report = on_progress or (lambda progress: None)
    report(Progress(name, 0, expected))
    backoff = Backoff(POLL_SECONDS)
    try:
        job = ml_client.jobs.get(name)
        seen: tuple = (job.status,)
        while job.status not in TERMINAL_STATES:
            backoff.wait(seen)
            progress = _counted(name, list(ml_client.jobs.list(parent_job_name=name)), expected)
            report(progress)
            job = ml_client.jobs.get(name)
            seen = (job.status, progress.started, progress.finished)
    except ClientAuthenticationError as exc:
        # A job outlives a token: a secret rotated or a login expired while it ran. The job goes on.
        raise CredentialError(
            f"Azure refused the credential while following job {name}: {exc.message}"
        ) from exc
    report(_counted(name, list(ml_client.jobs.list(parent_job_name=name)), expected, ended=True))
    status = getattr(job.status, "value", job.status)
    if status != "Completed":
        raise JobFailedError(f"job {name} ended {status} (details: {job.studio_url})")
    return job


def _leaderboard(ml_client: MLClient, name: str, metric: str) -> tuple[dict, ...]:
    """Every child with its best (lowest) primary metric, best first; children that logged none last."""
    rows = []
    for child in ml_client.jobs.list(parent_job_name=name):
        values = metric_values(ml_client, child.name, metric)
        rows.append(
            {
                "run": child.name,
                "status": getattr(child.status, "value", child.status),
                metric: min(values) if values else None,
            }
        )
    return tuple(sorted(rows, key=lambda row: (row[metric] is None, row[metric] or 0.0)))


def _best_child(job: Job, key: str) -> str:
    best = (job.properties or {}).get(key) or (job.tags or {}).get(key)
    if not best:
        raise JobFailedError(f"job {job.name} completed without a best child ({key} is not set)")
    return best


def submit(ml_client: MLClient, job: Job, experiment: str) -> str:
    """Submit ``job`` to ``experiment``; its name."""
    return ml_client.jobs.create_or_update(job, experiment_name=experiment).name


def run_sweep(ml_client: MLClient, job: SweepJob, on_progress: OnProgress | None = None) -> JobOutcome:
    """Submit the v2 sweep, wait for it; the best trial and every trial, best first."""
    ensure_cluster(ml_client, job.compute)
    name = submit(
        ml_client, specs.sweep_job(job, environments.reference(environments.TRAINING)), job.experiment
    )
    done = follow(ml_client, name, job.max_total_runs, on_progress)
    board = _leaderboard(ml_client, name, job.primary_metric)
    return JobOutcome(RunRef(job.experiment, name), _best_child(done, SWEEP_BEST_CHILD), board)


def run_automl(ml_client: MLClient, job: AutoMLJob, on_progress: OnProgress | None = None) -> JobOutcome:
    """Submit the v2 AutoML regression job, wait for it; the best child and every scored child."""
    ensure_cluster(ml_client, job.compute)
    name = submit(ml_client, specs.automl_job(job), job.experiment)
    done = follow(ml_client, name, job.iterations, on_progress)
    board = _leaderboard(ml_client, name, job.primary_metric)
    return JobOutcome(RunRef(job.experiment, name), _best_child(done, AUTOML_BEST_CHILD), board)


def job_timing(ml_client: MLClient, run_id: str) -> JobTiming:
    """Not known on azure-v2: azure-ai-ml's public job entities carry no start or end times."""
    return JobTiming(run_id, None, None)
