"""``Backend``: the duel's SDK steps bound to one workspace, whichever SDK serves them."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from backends.capabilities import Capabilities
from backends.messages import (
    AutoMLJob,
    ChildMetric,
    ClusterSpec,
    DatasetRef,
    DatasetUpload,
    Deployment,
    Endpoint,
    ExplorationJob,
    ExplorationOutcome,
    FetchedModel,
    JobFailed,
    JobOutcome,
    JobTiming,
    LoggedRun,
    ModelUpload,
    OnProgress,
    RegisteredModel,
    RunRef,
    SweepJob,
)
from backends.sdk_process import SdkProcess, StepError


def _job(step, *args) -> Any:
    """A training job's step; its end without a model is :class:`JobFailed` from either interpreter."""
    try:
        return step(*args)
    except StepError as error:
        if error.kind == JobFailed.__name__:
            raise JobFailed(str(error).split(": ", 2)[-1]) from None
        raise


class BackendSetupError(ValueError):
    """The backend the settings name cannot start here (no SDK interpreter, no config file, ...)."""


class Backend:
    """One workspace and the steps of :mod:`backends.sdk_v1` on it.

    Built by :func:`backends.open_backend`; ``cpu_cluster`` runs AutoML, ``gpu_cluster`` the sweep;
    ``identity`` names the backend and workspace (equal for two backends on the same workspace);
    ``capabilities`` says what the tasks may ask of it (its limits, local files, GPUs).
    ``sdk`` is :mod:`backends.sdk_v1` itself with a live workspace, or an
    :class:`~backends.sdk_process.SdkProcess` that runs it in another interpreter with a
    :class:`~backends.messages.WorkspaceRef`.
    """

    def __init__(
        self,
        sdk: ModuleType | SdkProcess,
        workspace: Any,
        *,
        identity: str,
        capabilities: Capabilities,
        cpu_cluster: ClusterSpec,
        gpu_cluster: ClusterSpec,
    ):
        self._sdk = sdk
        self.workspace = workspace
        self.identity = identity
        self.capabilities = capabilities
        self.cpu_cluster = cpu_cluster
        self.gpu_cluster = gpu_cluster

    # -- data
    def register_dataset(self, upload: DatasetUpload) -> DatasetRef:
        return self._sdk.datasets.register(self.workspace, upload)

    def read_dataset(self, ref: DatasetRef) -> pd.DataFrame:
        """A registered dataset version as a frame (its values as written: floats round-trip exactly)."""
        with tempfile.TemporaryDirectory(prefix="duel-dataset-") as folder:
            path = self._sdk.datasets.download(self.workspace, ref, str(Path(folder) / f"{ref.name}.csv"))
            return pd.read_csv(path)

    # -- jobs
    def run_automl(self, job: AutoMLJob, on_progress: OnProgress | None = None) -> JobOutcome:
        return _job(self._sdk.jobs.run_automl, self.workspace, job, on_progress)

    def run_sweep(self, job: SweepJob, on_progress: OnProgress | None = None) -> JobOutcome:
        return _job(self._sdk.jobs.run_sweep, self.workspace, job, on_progress)

    def run_exploration(
        self, job: ExplorationJob, on_progress: OnProgress | None = None
    ) -> ExplorationOutcome:
        return self._sdk.exploration.run_exploration(self.workspace, job, on_progress)

    def cancel_run(self, run_id: str) -> bool:
        """Cancel a run and its active children unless it has ended; True when it was still active."""
        return self._sdk.jobs.cancel(self.workspace, run_id)

    def job_timing(self, run_id: str) -> JobTiming:
        """Where the finished job's time went: queue and start-up apart from training."""
        return self._sdk.jobs.job_timing(self.workspace, run_id)

    def child_metrics(self, parent_run_id: str, metric: str) -> tuple[ChildMetric, ...]:
        """Each child run of a job (AutoML iterations, sweep trials) with its logged ``metric``."""
        return self._sdk.runs.child_metrics(self.workspace, parent_run_id, metric)

    def run_urls(self, run_ids: tuple[str, ...]) -> dict[str, str]:
        """Where a person browses each run: its page in Azure ML studio."""
        return dict(zip(run_ids, self._sdk.runs.portal_urls(self.workspace, tuple(run_ids)), strict=True))

    # -- runs the duel logs itself (decisions, reports)
    def log_run(self, record: LoggedRun) -> RunRef:
        return self._sdk.runs.log_run(self.workspace, record)

    def list_runs(self, experiment: str) -> tuple[LoggedRun, ...]:
        """The runs of ``experiment``, newest first."""
        return self._sdk.runs.list_runs(self.workspace, experiment)

    # -- contestants' artifacts
    def fetch_automl_model(self, job: RunRef, folder: str | Path) -> FetchedModel:
        return self._sdk.models.fetch_automl_model(self.workspace, job, str(folder))

    def fetch_run_outputs(self, run_id: str, prefix: str, folder: str | Path) -> FetchedModel:
        return self._sdk.models.fetch_run_outputs(self.workspace, run_id, prefix, str(folder))

    # -- model registry
    def register_model(self, upload: ModelUpload) -> RegisteredModel:
        return self._sdk.models.register(self.workspace, upload)

    def find_models(self, name: str, tags: dict[str, str] | None = None) -> tuple[RegisteredModel, ...]:
        return self._sdk.models.find(self.workspace, name, tags)

    def add_model_tags(self, model: RegisteredModel, tags: dict[str, str]) -> RegisteredModel:
        return self._sdk.models.add_tags(self.workspace, model.name, model.version, tags)

    def download_model(self, model: RegisteredModel, folder: str | Path) -> Path:
        return Path(self._sdk.models.download(self.workspace, model.name, model.version, str(folder)))

    # -- serving
    def deploy(self, deployment: Deployment) -> Endpoint:
        return self._sdk.services.deploy(self.workspace, deployment)

    def score(self, endpoint: Endpoint, payload: str) -> Any:
        return self._sdk.services.score(self.workspace, endpoint.name, payload)

    def delete_service(self, endpoint: Endpoint) -> None:
        self._sdk.services.delete(self.workspace, endpoint.name)
