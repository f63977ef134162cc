"""Prefect tasks of the exploration flow: check the switchboard, run the exploration, summarise it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from backends import Capabilities
from backends.messages import Bandit, Distribution, ExplorationJob, SweepJob
from tasks.housing_csv import resolve_housing_path
from tasks.opened import opened_backend
from tasks.progress import ProgressArtifact
from tasks.registered_split import DataRefs
from tasks.settings import DuelSettings
from training import SOURCE_DIRECTORY

SWEEP_METRIC = "val_mae"
# A smaller space than the duel's sweep: exploration looks for the network's rough shape.
SWEEP_SPACE = {
    "--hidden-1": ("choice", (64, 128, 256)),
    "--hidden-2": ("choice", (0, 32, 64)),
    "--lr": ("loguniform", (-7.6, -5.8)),
    "--batch-size": ("choice", (128, 256)),
}
SKLEARN_MODELS = 15


class ModelSwitch(StrEnum):
    """The recipe's ``--models`` switch."""

    RANDOMFOREST = "randomforest"
    SKLEARNMODELS = "sklearnmodels"
    DEEPLEARNING = "deeplearning"


@dataclass(frozen=True)
class ExplorationSpec:
    """The switchboard; a combination the recipe refuses raises ``ValueError`` saying why."""

    models: ModelSwitch
    data_local: bool = True
    subset: int | None = None
    hyperdrive: bool = False
    process_count: int = 1
    node_count: int = 1
    max_concurrent_models: int = 2
    epochs: int = 30
    sweep_runs: int = 4

    def __post_init__(self) -> None:
        object.__setattr__(self, "models", ModelSwitch(self.models))
        problems = []
        if self.hyperdrive and self.models is not ModelSwitch.DEEPLEARNING:
            problems.append(
                f"hyperdrive=True sweeps the PyTorch network, so it needs models='deeplearning' "
                f"(got models='{self.models}')"
            )
        if self.process_count > 1 and self.models is not ModelSwitch.DEEPLEARNING:
            problems.append(
                f"process_count={self.process_count}: only models='deeplearning' trains on several processes"
            )
        if self.subset is not None and self.subset < 10:
            problems.append(f"subset must be at least 10 rows, got {self.subset}")
        if self.process_count < 1 or self.node_count < 1 or self.process_count % self.node_count:
            problems.append(
                f"process_count={self.process_count} must be a positive multiple of node_count={self.node_count}"
            )
        for name in ("max_concurrent_models", "epochs", "sweep_runs"):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be positive, got {getattr(self, name)}")
        if problems:
            raise ValueError("; ".join(problems))

    def check_backend(self, backend: Capabilities) -> None:
        """Refuse what ``backend`` cannot run (a local file it cannot see)."""
        if self.data_local and not backend.sees_local_files:
            raise ValueError(
                f"data_local=True reads a file on this machine, which the {backend.name} backend cannot see: "
                "pass data_local=False to train on the registered datasets"
            )


@dataclass(frozen=True)
class ExplorationResult:
    """What the exploration found: the run to look at, its winner and the winner's test metrics."""

    run_id: str
    experiment: str
    best_model: str
    metrics: dict[str, float]
    comparison: dict[str, list] = field(default_factory=dict)
    importance: dict[str, list] = field(default_factory=dict)
    sweep_run_id: str | None = None


def _data_arguments(
    settings: DuelSettings, spec: ExplorationSpec, refs: DataRefs | None, *, mlp: bool
) -> list[str]:
    if spec.data_local:
        return ["--data", str(resolve_housing_path(settings.data, settings.cache_dir))]
    if mlp:  # train_mlp.py reads the training split only
        return ["--dataset-name", refs.train.name, "--dataset-version", str(refs.train.version)]
    return ["--data-local", "0", "--dataset-name", refs.train.name, "--test-dataset-name", refs.test.name]


def exploration_job(
    settings: DuelSettings, spec: ExplorationSpec, refs: DataRefs | None, backend
) -> ExplorationJob:
    """The backend's request: the script's arguments, its cluster, the ranks and the sweep, if any.

    Args:
        settings: the run's settings.
        spec: the checked switch and its options.
        refs: the registered split, or None to read the CSV locally.
        backend: the open backend.

    Returns:
        The exploration job.
    """
    arguments = ["--models", str(spec.models), *_data_arguments(settings, spec, refs, mlp=False)]
    arguments += [
        "--seed",
        str(settings.split_seed),
        "--max-concurrent-models",
        str(spec.max_concurrent_models),
    ]
    subset = ["--subset", str(spec.subset)] if spec.subset else []
    deep = spec.models is ModelSwitch.DEEPLEARNING
    compute = backend.gpu_cluster if deep else backend.cpu_cluster
    distribution = None
    if spec.process_count > 1:
        distribution = Distribution(
            spec.process_count, spec.node_count, backend.capabilities.distributed_backend
        )
    experiment = f"{settings.experiment_name}-explore-{spec.models}"
    tags = {"models": str(spec.models), "data_local": str(spec.data_local)}
    sweep = None
    if spec.hyperdrive:
        sweep = SweepJob(
            experiment=experiment,
            source_directory=str(SOURCE_DIRECTORY),
            script="train_mlp.py",
            arguments=(
                *_data_arguments(settings, spec, refs, mlp=True),
                *subset,
                "--epochs",
                str(spec.epochs),
            ),
            compute=compute,
            parameter_space=SWEEP_SPACE,
            policy=Bandit(evaluation_interval=1, slack_factor=0.1, delay_evaluation=5),
            primary_metric=SWEEP_METRIC,
            max_total_runs=spec.sweep_runs,
            max_concurrent_runs=1,
            max_duration_minutes=settings.hyperdrive_max_duration_minutes,
            tags={**tags, "hyperdrive": "True"},
            distribution=distribution,
        )
    return ExplorationJob(
        experiment=experiment,
        source_directory=str(SOURCE_DIRECTORY),
        arguments=(*arguments, *subset, *(["--epochs", str(spec.epochs)] if deep else [])),
        compute=compute,
        distribution=distribution,
        sweep=sweep,
        children=SKLEARN_MODELS if spec.models is ModelSwitch.SKLEARNMODELS else 0,
        tags=tags,
    )


@task(name="explore")
def run_exploration(
    settings: DuelSettings, spec: ExplorationSpec, refs: DataRefs | None
) -> ExplorationResult:
    """Run the switch on the backend (a sweep then a refit of its best trial for ``hyperdrive``).

    Args:
        settings: the run's settings.
        spec: the checked switch and its options.
        refs: the registered split, or None to read the CSV locally.

    Returns:
        The run to look at, its winner and the winner's test metrics.
    """
    backend = opened_backend(settings)
    outcome = backend.run_exploration(
        exploration_job(settings, spec, refs, backend), ProgressArtifact("exploration")
    )
    metrics = outcome.metrics
    best_model = outcome.tags.get("best_model", str(spec.models))
    # The parent of sklearnmodels logs the comparison, best model first; the other switches log their model's.
    comparison = metrics.get("model_comparison")
    summary = {
        k: float(comparison[k][0] if comparison else metrics[k]) for k in ("MAE", "RMSE", "R2", "MAPE")
    }
    get_run_logger().info(
        "exploration run %s: %s wins with test MAE %.0f", outcome.run.run_id, best_model, summary["MAE"]
    )
    return ExplorationResult(
        run_id=outcome.run.run_id,
        experiment=outcome.run.experiment,
        best_model=best_model,
        metrics=summary,
        comparison=comparison or {},
        importance=metrics.get("feature_importance", {}),
        sweep_run_id=outcome.sweep.job.run_id if outcome.sweep else None,
    )


@task(name="publish-exploration")
def publish_exploration(result: ExplorationResult) -> None:
    """Leaderboard (or the single model's metrics) and the winner's feature importance in the Prefect UI.

    Args:
        result: what the exploration found.
    """
    if result.comparison:
        columns = list(result.comparison)
        rows = [
            dict(zip(columns, values, strict=True))
            for values in zip(*result.comparison.values(), strict=True)
        ]
    else:
        rows = [{"model": result.best_model, **result.metrics}]
    create_table_artifact(
        key="exploration-leaderboard", table=rows, description=f"exploration run {result.run_id}"
    )
    importance = "\n".join(
        f"| {feature} | {value:,.0f} |"
        for feature, value in zip(
            result.importance.get("feature", []), result.importance.get("importance", []), strict=True
        )
    )
    create_markdown_artifact(
        key="exploration-explanation",
        markdown=(
            f"# Exploration {result.run_id}\n\nWinner: **{result.best_model}**, test MAE "
            f"{result.metrics['MAE']:,.0f}.\n\nPermutation importance on the test split "
            f"(MAE increase in dollars when a column is shuffled):\n\n| feature | importance |\n|---|---|\n"
            f"{importance}\n"
        ),
    )
