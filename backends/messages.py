"""What goes into and comes out of the backend's SDK steps: small frozen, JSON-serialisable values.

Every field holds plain data (strings, numbers, tuples, string-keyed dicts), so a step can run in
this process or in another one (the SDK v1's own environment) with the request and the answer as
JSON; :func:`to_json` and :func:`from_json` are that round trip.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class WorkspaceRef:
    """Which workspace: the three names, or an Azure ``config.json`` (file or folder) when given.

    A workspace opened from ``config.json`` signs in headlessly with the ``auth`` mode
    (:mod:`backends.credentials`: ``auto``, ``service-principal``, ``managed-identity``,
    ``cli`` or ``interactive``).
    """

    subscription_id: str | None = None
    resource_group: str | None = None
    workspace_name: str | None = None
    config_path: str | None = None
    auth: str = "auto"


@dataclass(frozen=True)
class ClusterSpec:
    """An AmlCompute cluster to create or attach; idle nodes scale down after ``idle_seconds``."""

    name: str
    vm_size: str
    max_nodes: int
    min_nodes: int = 0
    idle_seconds: int = 1800


@dataclass(frozen=True)
class DatasetUpload:
    """A CSV file to register as a new version of the tabular dataset ``name``."""

    csv_path: str
    name: str
    description: str
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DatasetRef:
    """One registered version of a tabular dataset."""

    name: str
    version: int


@dataclass(frozen=True)
class AutoMLJob:
    """A regression AutoML job on the CPU cluster, ONNX-compatible models only."""

    experiment: str
    training: DatasetRef
    label: str
    primary_metric: str
    compute: ClusterSpec
    timeout_minutes: float
    iterations: int
    max_concurrent_iterations: int
    allowed_models: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bandit:
    """HyperDrive's Bandit early-termination policy."""

    evaluation_interval: int
    slack_factor: float
    delay_evaluation: int


@dataclass(frozen=True)
class Distribution:
    """A data-parallel job: ``process_count`` ranks on ``node_count`` nodes (``PyTorchConfiguration``)."""

    process_count: int
    node_count: int = 1
    communication_backend: str = "Gloo"


@dataclass(frozen=True)
class SweepJob:
    """A HyperDrive sweep of a training script on the GPU cluster, minimising ``primary_metric``.

    ``parameter_space`` maps an argument to ``(expression, values)`` with ``expression`` one of
    ``choice``, ``uniform`` and ``loguniform`` (whose bounds are exponents), as in the SDK.
    """

    experiment: str
    source_directory: str
    script: str
    arguments: tuple[str, ...]
    compute: ClusterSpec
    parameter_space: dict[str, tuple[str, tuple[Any, ...]]]
    policy: Bandit
    primary_metric: str
    max_total_runs: int
    max_concurrent_runs: int
    max_duration_minutes: int
    tags: dict[str, str] = field(default_factory=dict)
    distribution: Distribution | None = None  # trials trained data-parallel


@dataclass(frozen=True)
class ExplorationJob:
    """``explore.py`` with the switchboard's ``arguments``; with ``sweep``, first a HyperDrive sweep
    whose best trial's hyperparameters are appended to ``arguments`` (the refit)."""

    experiment: str
    source_directory: str
    arguments: tuple[str, ...]
    compute: ClusterSpec
    distribution: Distribution | None = None
    sweep: SweepJob | None = None
    children: int = 0  # child runs the script makes (for progress)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RunRef:
    """A run by experiment name and run id."""

    experiment: str
    run_id: str


@dataclass(frozen=True)
class Progress:
    """How far a job is: its finished child runs against the budget.

    ``finished`` counts the children that ended, however they ended. The fields after ``expected``
    are optional (a backend that only counts finished children still reports a valid ``Progress``):
    ``started``, ``canceled`` (cut by a policy, a timeout or a person) and ``failed`` count children,
    ``best`` is the best primary metric value so far (``None`` before the first), ``elapsed_seconds``
    the time since submission, ``budget_seconds`` the job's time budget when it has one; ``ended``
    says the job itself is over, so the children never started never will be.
    """

    run_id: str
    finished: int
    expected: int
    started: int = 0
    canceled: int = 0
    best: float | None = None
    metric: str = ""
    elapsed_seconds: float = 0.0
    budget_seconds: float | None = None
    failed: int = 0
    ended: bool = False

    @property
    def percent(self) -> float:
        return min(100.0, 100.0 * self.finished / max(1, self.expected))

    def best_text(self) -> str:
        """The best value so far as a person reads it (dollars whole, small ratios to four digits)."""
        if self.best is None:
            return ""
        value = f"{self.best:,.0f}" if abs(self.best) >= 1000 else f"{self.best:.4g}"
        return f"best {self.metric or 'metric'} {value}"

    def describe(self) -> str:
        """One line a person reads: trials, best so far and time against the budget."""
        parts = [f"{self.finished}/{self.expected} finished"]
        if self.started:
            parts.append(f"{self.started} started")
        if self.canceled:
            parts.append(f"{self.canceled} cancelled")
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.ended and self.started < self.expected:
            parts.append(f"{self.expected - self.started} not started")
        if self.best is not None:
            parts.append(self.best_text())
        elapsed = f"{self.elapsed_seconds:,.0f} s"
        if self.budget_seconds:
            elapsed += f" of {self.budget_seconds:,.0f} s budget"
        parts.append(elapsed)
        return ", ".join(parts)


OnProgress = Callable[[Progress], None]


class JobFailed(RuntimeError):
    """A training job ended without a model to judge: it failed, was cancelled, or no child scored."""


@dataclass(frozen=True)
class LoggedRun:
    """A run the duel logs itself (a champion decision, a stored report): tags, metrics and files.

    ``files`` maps a name inside the run (``outputs/report/report.md``) to a local path to upload;
    read back by :meth:`backends.Backend.list_runs`, ``run_id`` is set and ``files`` is empty.
    """

    experiment: str
    display_name: str
    tags: dict[str, str]
    metrics: dict[str, float] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    run_id: str = ""


@dataclass(frozen=True)
class ChildMetric:
    """One child run of a job and the values it logged for one metric, in logging order."""

    run_id: str
    label: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class JobOutcome:
    """A finished job (AutoML parent or HyperDrive sweep), its best child run and its leaderboard."""

    job: RunRef
    best_run_id: str
    leaderboard: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class JobTiming:
    """Where a finished job's time went: waiting for its first child to start (queue, cluster
    start-up, image build) and from then to its end (training). ``None`` where the SDK cannot say."""

    run_id: str
    queued_seconds: float | None
    training_seconds: float | None


@dataclass(frozen=True)
class ExplorationOutcome:
    """The finished exploration run, its metrics and tags (as ``get_metrics``/``get_tags`` give them)."""

    run: RunRef
    metrics: dict[str, Any]
    tags: dict[str, str]
    sweep: JobOutcome | None = None


@dataclass(frozen=True)
class FetchedModel:
    """A contestant's model written to ``path``: AutoML's ONNX copy, or the MLP's native folder.

    ``native_path`` is AutoML's own pickle, fetched as a file to register beside the ONNX copy.
    """

    path: str
    run_id: str
    algorithm: str = ""
    native_path: str | None = None


@dataclass(frozen=True)
class ModelUpload:
    """A file to register as a new version of the model ``name``.

    With ``run_id`` the file is registered from that run (``Run.register_model``), so the version
    records the run, its experiment and ``training_datasets`` as its lineage, as Azure shows it.
    """

    path: str
    name: str
    tags: dict[str, str]
    properties: dict[str, str]
    description: str
    framework: str
    framework_version: str
    run_id: str = ""
    training_datasets: tuple[DatasetRef, ...] = ()


@dataclass(frozen=True)
class RegisteredModel:
    """One registered model version."""

    name: str
    version: int
    id: str
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.name}:{self.version}"


@dataclass(frozen=True)
class Deployment:
    """Deploy registered models behind ``entry_script``; ``target`` is ``local``, ``docker`` or ``aci``."""

    service_name: str
    models: tuple[str, ...]
    entry_script: str
    source_directory: str
    target: str


@dataclass(frozen=True)
class Endpoint:
    """A deployed scoring service."""

    name: str
    scoring_uri: str
    swagger_uri: str | None = None


def to_json(value: Any) -> str:
    """A message as JSON."""
    return json.dumps(dataclasses.asdict(value))


def from_json(kind: type, text: str) -> Any:
    """The message of type ``kind`` that :func:`to_json` wrote."""
    return _build(kind, json.loads(text))


def _build(kind: Any, data: Any) -> Any:
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        # A field the sender did not know (an older message) keeps its default.
        return kind(
            **{
                f.name: _build(hints[f.name], data[f.name])
                for f in dataclasses.fields(kind)
                if f.name in data
            }
        )
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return None if data is None else _build(options[0], data)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], item) for item in data)
        return tuple(_build(arg, item) for arg, item in zip(args, data, strict=True))
    if origin is dict:
        _, value_kind = typing.get_args(kind)
        return {key: _build(value_kind, item) for key, item in data.items()}
    return data
