"""A v2 AutoML regression job run by the emulator's AutoML: its task details become an
``AutoMLConfig`` over the MLTable data asset, started as the parent run whose id is the job's name.
Azure tags a finished AutoML parent with ``automl_best_child_run_id``; :func:`tag_best_child` does."""

from __future__ import annotations

import re

import yaml

from . import _command, _sweep


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def mltable_dataset(surface, data_input: dict):
    """The v1 ``TabularDataset`` of an ``mltable`` job input: its MLTable's delimited files."""
    from ..core import Dataset

    if data_input.get("jobInputType") != "mltable":
        raise _command.JobInputError("AutoML reads its training data as an mltable input")
    folder = _command.resolved_path(surface, data_input["uri"])
    spec_file = folder / "MLTable"
    if not spec_file.is_file():
        raise _command.JobInputError(f"{data_input['uri']} has no MLTable file")
    spec = yaml.safe_load(spec_file.read_text()) or {}
    files = [str(folder / entry["file"]) for entry in spec.get("paths", []) if "file" in entry]
    if not files:
        raise _command.JobInputError(f"the MLTable of {data_input['uri']} names no file")
    delimited = next(
        (t["read_delimited"] for t in spec.get("transformations", []) if "read_delimited" in t), {}
    )
    return Dataset.Tabular.from_delimited_files(files, separator=delimited.get("delimiter", ","))


def start(surface, name: str, properties: dict):
    """Start AutoML job ``name`` (``properties`` of an AutoML job); its ``AutoMLRun``."""
    from ..core import Experiment
    from ..train.automl.config import AutoMLConfig
    from ..train.automl.run import AutoMLRun

    task = properties["taskDetails"]
    if task.get("taskType") != "Regression":
        raise _command.JobInputError(f"taskType {task.get('taskType')!r}: the emulator runs Regression only")
    limits, training = task.get("limitSettings") or {}, task.get("trainingSettings") or {}
    config = AutoMLConfig(
        task="regression",
        training_data=mltable_dataset(surface, task["trainingData"]),
        label_column_name=task["targetColumnName"],
        primary_metric=_snake(task.get("primaryMetric") or "SpearmanCorrelation"),
        iterations=limits.get("maxTrials") or 1000,
        max_concurrent_iterations=limits.get("maxConcurrentTrials") or 1,
        experiment_timeout_minutes=_sweep.minutes(limits.get("timeout")),
        enable_early_stopping=limits.get("enableEarlyTermination", True),
        allowed_models=training.get("allowedTrainingAlgorithms"),
        blocked_models=training.get("blockedTrainingAlgorithms"),
        enable_onnx_compatible_models=training.get("enableOnnxCompatibleModels", False),
        enable_voting_ensemble=training.get("enableVoteEnsemble", True),
        enable_stack_ensemble=training.get("enableStackEnsemble"),
        featurization=(task.get("featurizationSettings") or {}).get("mode", "auto").lower(),
    )
    experiment = Experiment(surface.workspace, properties.get("experimentName") or "Default")
    return AutoMLRun._start(experiment, config, tags=properties.get("tags") or {}, run_id=name)


def tag_best_child(surface, name: str) -> None:
    """Tag finished AutoML parent ``name`` with its best child, once."""
    from ..core import Run
    from ..train import automl  # noqa: F401 (Run.get returns an AutoMLRun once it is imported)

    run = Run.get(surface.workspace, name)
    if "automl_best_child_run_id" not in run.get_tags():
        run.tag("automl_best_child_run_id", run.get_best_child().id)
