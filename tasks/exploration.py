"""Prefect tasks of the exploration flow: check the switchboard, run the exploration, summarise it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from tasks.backend import compute_target, sdk, workspace
from tasks.data import resolve_housing_path
from tasks.datasets import DataRefs
from tasks.exploration_job import (
    distributed_config,
    exploration_config,
    refit_arguments,
    submit_and_wait,
    sweep_config,
)
from tasks.settings import Backend, DuelSettings


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

    def check_backend(self, backend: Backend) -> None:
        if self.data_local and backend is Backend.AZURE:
            raise ValueError(
                "data_local=True reads a file on this machine, which an Azure cluster cannot see: "
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
        return ["--dataset-name", refs.train_name, "--dataset-version", str(refs.train_version)]
    return ["--data-local", "0", "--dataset-name", refs.train_name, "--test-dataset-name", refs.test_name]


def _script_arguments(settings, spec: ExplorationSpec, refs, model_options: list[str]) -> list[str]:
    arguments = ["--models", str(spec.models), *_data_arguments(settings, spec, refs, mlp=False)]
    arguments += [
        "--seed",
        str(settings.split_seed),
        "--max-concurrent-models",
        str(spec.max_concurrent_models),
    ]
    if spec.subset:
        arguments += ["--subset", str(spec.subset)]
    if spec.models is ModelSwitch.DEEPLEARNING:
        arguments += ["--epochs", str(spec.epochs), *model_options]
    return arguments


@task(name="explore")
def run_exploration(
    settings: DuelSettings, spec: ExplorationSpec, refs: DataRefs | None
) -> ExplorationResult:
    """Run the switch on the backend (a sweep then a refit of its best trial for ``hyperdrive``)."""
    logger = get_run_logger()
    api, ws = sdk(settings.backend), workspace(settings)
    gpu = spec.models is ModelSwitch.DEEPLEARNING
    compute = compute_target(settings, ws, gpu=gpu)
    distributed = distributed_config(
        api, spec.process_count, spec.node_count, gpu and settings.backend is Backend.AZURE
    )
    experiment = api.Experiment(ws, f"{settings.experiment_name}-explore-{spec.models}")
    tags = {"models": str(spec.models), "data_local": str(spec.data_local)}
    sweep, options = None, []
    if spec.hyperdrive:
        data = _data_arguments(settings, spec, refs, mlp=True)
        if spec.subset:
            data += ["--subset", str(spec.subset)]
        config = sweep_config(
            api, compute, data, epochs=spec.epochs, runs=spec.sweep_runs, distributed=distributed
        )
        sweep = submit_and_wait(experiment, config, {**tags, "hyperdrive": "True"})
        best = sweep.get_best_run_by_primary_metric()
        if best is None:
            raise RuntimeError(f"HyperDrive sweep {sweep.id} ended with no trial that logged its metric")
        options = refit_arguments(sweep, best)
        logger.info("sweep %s: best trial %s with %s; refitting it", sweep.id, best.id, " ".join(options))
    config = exploration_config(api, compute, _script_arguments(settings, spec, refs, options), distributed)
    run = submit_and_wait(experiment, config, tags)
    metrics = run.get_metrics()
    best_model = run.get_tags().get("best_model", str(spec.models))
    # The parent of sklearnmodels logs the comparison, best model first; the other switches log their model's.
    comparison = metrics.get("model_comparison")
    summary = {
        k: float(comparison[k][0] if comparison else metrics[k]) for k in ("MAE", "RMSE", "R2", "MAPE")
    }
    logger.info("exploration run %s: %s wins with test MAE %.0f", run.id, best_model, summary["MAE"])
    return ExplorationResult(
        run_id=run.id,
        experiment=experiment.name,
        best_model=best_model,
        metrics=summary,
        comparison=comparison or {},
        importance=metrics.get("feature_importance", {}),
        sweep_run_id=sweep.id if sweep else None,
    )


@task(name="publish-exploration")
def publish_exploration(result: ExplorationResult) -> None:
    """Leaderboard (or the single model's metrics) and the winner's feature importance in the Prefect UI."""
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
