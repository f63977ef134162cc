"""Submit the AutoML job and the HyperDrive sweep, and follow each to its end."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from azureml.core import Dataset, Environment, Experiment, Run, ScriptRunConfig, Workspace
from azureml.core.runconfig import PyTorchConfiguration
from azureml.train.automl import AutoMLConfig
from azureml.train.hyperdrive import (
    BanditPolicy,
    HyperDriveConfig,
    HyperDriveRun,
    PrimaryMetricGoal,
    RandomParameterSampling,
    choice,
    loguniform,
    uniform,
)

from backends.messages import (
    AutoMLJob,
    Distribution,
    JobFailed,
    JobOutcome,
    JobTiming,
    OnProgress,
    Progress,
    RunRef,
    SweepJob,
)
from backends.polling import Backoff, retry_after
from backends.sdk_v1 import environments
from backends.sdk_v1.clusters import compute_target

# The run states after which nothing changes (the SDK's RunStatus has no public set of them).
TERMINAL_STATES = frozenset({"Completed", "Failed", "Canceled"})
_RANGES = {"uniform": uniform, "loguniform": loguniform}
POLL_SECONDS = 2.0
T = TypeVar("T")


def automl_config(job: AutoMLJob, training_data, target) -> AutoMLConfig:
    """The AutoML job on ``target`` (a cluster or its name), ONNX-compatible models only."""
    options = {"allowed_models": list(job.allowed_models)} if job.allowed_models else {}
    return AutoMLConfig(
        task="regression",
        primary_metric=job.primary_metric,
        training_data=training_data,
        label_column_name=job.label,
        compute_target=target,
        experiment_timeout_minutes=job.timeout_minutes,
        iterations=job.iterations,
        max_concurrent_iterations=job.max_concurrent_iterations,
        enable_early_stopping=True,
        enable_onnx_compatible_models=True,
        featurization="auto",
        **options,
    )


def distributed_config(distribution: Distribution | None) -> PyTorchConfiguration | None:
    """The ``PyTorchConfiguration`` of a data-parallel job (None for one process)."""
    if distribution is None or distribution.process_count <= 1:
        return None
    return PyTorchConfiguration(
        communication_backend=distribution.communication_backend,
        process_count=distribution.process_count,
        node_count=distribution.node_count,
    )


def hyperdrive_config(job: SweepJob, target, environment: Environment) -> HyperDriveConfig:
    """The sweep of ``job.script`` on ``target`` (a cluster or its name) in the training environment."""
    script = ScriptRunConfig(
        source_directory=job.source_directory,
        script=job.script,
        arguments=list(job.arguments),
        compute_target=target,
        environment=environment,
        distributed_job_config=distributed_config(job.distribution),
    )
    sampling = RandomParameterSampling(
        {name: _expression(kind, values) for name, (kind, values) in job.parameter_space.items()}
    )
    return HyperDriveConfig(
        run_config=script,
        hyperparameter_sampling=sampling,
        policy=BanditPolicy(
            evaluation_interval=job.policy.evaluation_interval,
            slack_factor=job.policy.slack_factor,
            delay_evaluation=job.policy.delay_evaluation,
        ),
        primary_metric_name=job.primary_metric,
        primary_metric_goal=PrimaryMetricGoal.MINIMIZE,
        max_total_runs=job.max_total_runs,
        max_concurrent_runs=job.max_concurrent_runs,
        max_duration_minutes=job.max_duration_minutes,
    )


def _expression(kind: str, values):
    if kind == "choice":
        return choice(*values)
    if kind not in _RANGES:
        raise ValueError(f"unknown parameter expression {kind!r}: use choice, uniform or loguniform")
    return _RANGES[kind](*values)


def _best(value) -> float:
    """A child's best value of the (minimised) primary metric: what HyperDrive ranks the child by
    (``best_primary_metric``) and the studio shows; an AutoML iteration logs it once."""
    return float(min(value) if isinstance(value, list) else value)


def _error_message(details: dict) -> str:
    error = details.get("error") or ""
    if isinstance(error, dict):
        error = (error.get("error") or error).get("message") or ""
    return " ".join(str(error).split()).rstrip(".") or "no error recorded"


class _Watch:
    """What a person wants to know about a running job, read from its children at each poll.

    A poll costs one listing of the children (each carries its status) and, when a child has newly
    finished, one read of every child's metric: a constant number of calls, however many children.
    """

    def __init__(self, run, expected: int, metric: str, budget_seconds: float | None):
        self.run, self.expected, self.metric, self.budget = run, expected, metric, budget_seconds
        self.started_at = time.monotonic()
        self._scores: dict[str, float | None] = {}

    def _score_finished(self, finished: list[str]) -> None:
        if not self.metric:
            self._scores.update(dict.fromkeys(finished))
            return
        # HyperDriveRun.get_metrics takes no arguments and answers for all its children at once.
        if isinstance(self.run, HyperDriveRun):
            logged = self.run.get_metrics()
        else:
            logged = self.run.get_metrics(name=self.metric, recursive=True)
        for run_id in finished:
            value = (logged.get(run_id) or {}).get(self.metric)
            self._scores[run_id] = _best(value) if value is not None else None

    def progress(self, ended: bool = False) -> Progress:
        statuses = {child.id: child.status for child in self.run.get_children()}
        newly = [
            run_id
            for run_id, status in statuses.items()
            if status in TERMINAL_STATES and run_id not in self._scores
        ]
        if newly:
            self._score_finished(newly)
        scores = [score for score in self._scores.values() if score is not None]
        finished = sum(status in TERMINAL_STATES for status in statuses.values())
        return Progress(
            self.run.id,
            finished,
            self.expected,
            started=len(statuses),
            canceled=sum(status == "Canceled" for status in statuses.values()),
            failed=sum(status == "Failed" for status in statuses.values()),
            ended=ended,
            best=min(scores) if scores else None,
            metric=self.metric,
            elapsed_seconds=time.monotonic() - self.started_at,
            budget_seconds=self.budget,
        )


def _polled(read: Callable[[], T]) -> T:
    """``read()``, waiting out a throttled (429) answer for as long as Azure asks, as often as it asks."""
    while True:
        try:
            return read()
        except Exception as error:
            wait = retry_after(error)
            if wait is None:
                raise
            time.sleep(wait)


def follow(
    run,
    expected_children: int,
    on_progress: OnProgress | None = None,
    *,
    metric: str = "",
    budget_seconds: float | None = None,
):
    """Poll until the run ends, reporting its children (started, finished, cancelled, best ``metric``
    so far, lower is better) and the time against ``budget_seconds``; a failed or canceled run raises.
    The interval grows while nothing changes (:class:`backends.polling.Backoff`)."""
    report = on_progress or (lambda progress: None)
    watch = _Watch(run, expected_children, metric, budget_seconds)
    backoff = Backoff(POLL_SECONDS)
    report(Progress(run.id, 0, expected_children, metric=metric, budget_seconds=budget_seconds))
    status = _polled(run.get_status)
    seen = (status,)
    while status not in TERMINAL_STATES:
        backoff.wait(seen)
        progress = _polled(watch.progress)
        report(progress)
        status = _polled(run.get_status)
        seen = (status, progress.started, progress.finished, progress.canceled)
    report(_polled(lambda: watch.progress(ended=True)))
    if status != "Completed":
        raise JobFailed(f"run {run.id} ended {status}: {_error_message(run.get_details())}")
    return run


def cancel(ws: Workspace, run_id: str) -> bool:
    """Cancel the run and, with it, its active children unless it has ended; True when it was active."""
    run = Run.get(ws, run_id)
    if run.get_status() in TERMINAL_STATES:
        return False
    run.cancel()
    return True


def run_automl(ws: Workspace, job: AutoMLJob, on_progress: OnProgress | None = None) -> JobOutcome:
    """Submit the AutoML job, wait for it; the best child and every scored iteration, best first."""
    training = Dataset.get_by_name(ws, job.training.name, version=job.training.version)
    config = automl_config(job, training, compute_target(ws, job.compute))
    run = Experiment(ws, job.experiment).submit(config, tags=dict(job.tags))
    budget = job.timeout_minutes * 60
    follow(run, job.iterations, on_progress, metric=job.primary_metric, budget_seconds=budget)
    rows = []
    for child in run.get_children():
        metrics = child.get_metrics()
        if job.primary_metric in metrics:
            rows.append(
                {
                    "iteration": child.properties.get("iteration", ""),
                    "pipeline": child.properties.get("run_algorithm", child.display_name or ""),
                    job.primary_metric: metrics[job.primary_metric],
                    "mean_absolute_error": metrics.get("mean_absolute_error"),
                    "status": child.get_status(),
                }
            )
    rows.sort(key=lambda row: row[job.primary_metric])
    # What ships is the ONNX copy AutoML wrote: the best child that has one (no AutoML runtime needed).
    best = run.get_best_child(onnx_compatible=True)
    return JobOutcome(job=RunRef(job.experiment, run.id), best_run_id=best.id, leaderboard=tuple(rows))


def run_sweep(ws: Workspace, job: SweepJob, on_progress: OnProgress | None = None) -> JobOutcome:
    """Submit the sweep, wait for it; the best trial and every trial, best first."""
    environment = environments.registered(ws, environments.TRAINING)
    config = hyperdrive_config(job, compute_target(ws, job.compute), environment)
    sweep = Experiment(ws, job.experiment).submit(config, tags=dict(job.tags))
    budget = job.max_duration_minutes * 60
    follow(sweep, job.max_total_runs, on_progress, metric=job.primary_metric, budget_seconds=budget)
    best = sweep.get_best_run_by_primary_metric()
    if best is None:
        raise JobFailed(f"HyperDrive sweep {sweep.id} ended with no trial that logged {job.primary_metric}")
    rows = tuple(
        {
            "run": child["run_id"],
            "status": child["status"],
            job.primary_metric: child["best_primary_metric"],
            # The SDK returns each child's hyperparameters as a JSON string.
            **{k.lstrip("-"): v for k, v in json.loads(child["hyperparameters"]).items()},
        }
        for child in sweep.get_children_sorted_by_primary_metric()
    )
    return JobOutcome(job=RunRef(job.experiment, sweep.id), best_run_id=best.id, leaderboard=rows)


def _utc(stamp: str | None) -> datetime | None:
    # The run history writes up to 7 fraction digits; fromisoformat takes 6.
    if not stamp:
        return None
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", stamp).replace("Z", "+00:00"))


def job_timing(ws: Workspace, run_id: str) -> JobTiming:
    """How long the finished job ``run_id`` waited for its first child to start (queue, cluster
    start-up, image build) and how long it ran from then on (training)."""
    parent = Run.get(ws, run_id)
    details = parent.get_details()
    started, ended = _utc(details.get("startTimeUtc")), _utc(details.get("endTimeUtc"))
    firsts = [_utc(child.get_details().get("startTimeUtc")) for child in parent.get_children()]
    first = min((stamp for stamp in firsts if stamp is not None), default=None)
    if started is None or first is None:
        return JobTiming(run_id, None, None)
    training = (ended - first).total_seconds() if ended is not None else None
    return JobTiming(run_id, max(0.0, (first - started).total_seconds()), training)
