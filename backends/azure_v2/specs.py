"""The duel's two jobs as Azure ML SDK v2 objects, built from the same messages as the SDK v1 configs.

:func:`sweep_job` maps a :class:`~backends.messages.SweepJob` (HyperDrive's terms) onto a v2
``command`` job swept with ``.sweep()``; :func:`automl_job` maps an
:class:`~backends.messages.AutoMLJob` onto ``automl.regression()``. Both only build: nothing here
talks to a workspace, so ``duel export-jobs`` and the offline proof use exactly what is submitted.

The trial reads its training split as a job input (``--train-data ${{inputs.train}}``, the
registered MLTable asset) instead of the SDK v1 ``--dataset-name``/``--dataset-version`` lookup:
a v2 data asset is not a v1 dataset.
"""

from __future__ import annotations

import math
from typing import Any

from azure.ai.ml import Input, automl, command
from azure.ai.ml.entities import Job
from azure.ai.ml.sweep import (
    BanditPolicy,
    Choice,
    LogNormal,
    LogUniform,
    Normal,
    QLogNormal,
    QLogUniform,
    QNormal,
    QUniform,
    Randint,
    Uniform,
)

from backends.azure_v2.private import sweep_as_job
from backends.messages import AutoMLJob, SweepJob

# SDK v1 parameter expression -> (SDK v2 search space class, its argument names in v1's order).
# Both SDKs take log-scale bounds as natural-log exponents, so the values carry over unchanged.
EXPRESSIONS: dict[str, tuple[type, tuple[str, ...]]] = {
    "choice": (Choice, ("values",)),
    "randint": (Randint, ("upper",)),
    "uniform": (Uniform, ("min_value", "max_value")),
    "quniform": (QUniform, ("min_value", "max_value", "q")),
    "loguniform": (LogUniform, ("min_value", "max_value")),
    "qloguniform": (QLogUniform, ("min_value", "max_value", "q")),
    "normal": (Normal, ("mu", "sigma")),
    "qnormal": (QNormal, ("mu", "sigma", "q")),
    "lognormal": (LogNormal, ("mu", "sigma")),
    "qlognormal": (QLogNormal, ("mu", "sigma", "q")),
}
TRAINING_INPUT = "train"
# The v1 trial finds its data by these arguments; the v2 trial gets it mounted as TRAINING_INPUT.
_DATASET_ARGUMENTS = ("--dataset-name", "--dataset-version")


def search_expression(kind: str, values: tuple[Any, ...]):
    """The v2 search space object for the v1 expression ``kind(*values)``."""
    if kind not in EXPRESSIONS:
        raise ValueError(f"unknown parameter expression {kind!r}: use one of {', '.join(EXPRESSIONS)}")
    cls, names = EXPRESSIONS[kind]
    if kind == "choice":
        return Choice(values=list(values))
    if len(values) != len(names):
        raise ValueError(f"{kind} takes {len(names)} values ({', '.join(names)}), got {len(values)}")
    return cls(**dict(zip(names, values, strict=True)))


def input_name(argument: str) -> str:
    """A v2 input name for a script argument: ``--hidden-1`` -> ``hidden_1``."""
    return argument.lstrip("-").replace("-", "_")


def data_input(name: str, version: int | None = None) -> Input:
    """The registered MLTable asset ``name`` at ``version`` (the latest without one)."""
    return Input(type="mltable", path=f"azureml:{name}:{version}" if version else f"azureml:{name}@latest")


def _fixed_arguments(arguments: tuple[str, ...]) -> tuple[list[str], Input]:
    """The trial's arguments without the v1 dataset lookup, and that dataset as a job input."""
    pairs = dict(zip(arguments[::2], arguments[1::2], strict=True))
    name = pairs.get(_DATASET_ARGUMENTS[0])
    if not name:
        raise ValueError("the sweep's arguments name no --dataset-name to give the trial as input")
    version = pairs.get(_DATASET_ARGUMENTS[1], "latest")
    kept = [part for key, value in pairs.items() if key not in _DATASET_ARGUMENTS for part in (key, value)]
    return kept, data_input(name, int(version) if version.isdigit() else None)


def sweep_job(job: SweepJob, environment: str, training_data: Input | None = None) -> Job:
    """The v2 sweep job (``command(...)(...).sweep(...)``) equal to HyperDrive's config of ``job``.

    ``environment`` is the registered training environment (``azureml:name:version`` or
    ``azureml:name@latest``); ``training_data`` replaces the dataset the arguments name.
    """
    fixed, named_data = _fixed_arguments(job.arguments)
    swept = {input_name(argument): argument for argument in job.parameter_space}
    line = " ".join(
        [f"python {job.script}", f"--train-data ${{{{inputs.{TRAINING_INPUT}}}}}", *fixed]
        + [f"{argument} ${{{{inputs.{name}}}}}" for name, argument in swept.items()]
    )
    # command() declares an input per swept name from a value; .sweep() then replaces each with its space.
    defaults = {name: job.parameter_space[argument][1][0] for name, argument in swept.items()}
    trial = command(
        code=job.source_directory,
        command=line,
        inputs={TRAINING_INPUT: training_data or named_data, **defaults},
        environment=environment,
        compute=job.compute.name,
    )
    space = {name: search_expression(*job.parameter_space[argument]) for name, argument in swept.items()}
    node = trial(**space).sweep(
        sampling_algorithm="random",
        primary_metric=job.primary_metric,
        goal="Minimize",
        compute=job.compute.name,
        early_termination_policy=BanditPolicy(
            evaluation_interval=job.policy.evaluation_interval,
            slack_factor=job.policy.slack_factor,
            delay_evaluation=job.policy.delay_evaluation,
        ),
    )
    node.set_limits(
        max_total_trials=job.max_total_runs,
        max_concurrent_trials=job.max_concurrent_runs,
        timeout=job.max_duration_minutes * 60,
    )
    sweep = sweep_as_job(node)
    sweep.experiment_name = job.experiment
    sweep.tags = dict(job.tags)
    return sweep


def automl_job(job: AutoMLJob, training_data: Input | None = None) -> Job:
    """The v2 ``automl.regression()`` job equal to the ``AutoMLConfig`` of ``job``.

    v2 budgets are whole minutes: a fractional timeout is rounded up, never cut short.
    """
    regression = automl.regression(
        compute=job.compute.name,
        experiment_name=job.experiment,
        training_data=training_data or data_input(job.training.name, job.training.version),
        target_column_name=job.label,
        primary_metric=job.primary_metric,
        tags=dict(job.tags),
    )
    regression.set_limits(
        timeout_minutes=math.ceil(job.timeout_minutes),
        max_trials=job.iterations,
        max_concurrent_trials=job.max_concurrent_iterations,
        enable_early_termination=True,
    )
    regression.set_training(
        enable_onnx_compatible_models=True,
        allowed_training_algorithms=list(job.allowed_models) or None,
        # As SDK v1 does in ONNX-compatible mode: voting ensembles on, stacking off.
        enable_vote_ensemble=True,
        enable_stack_ensemble=False,
    )
    regression.set_featurization(mode="auto")
    return regression
