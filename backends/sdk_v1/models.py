"""Fetch contestants' models from their runs; register, find, tag and download model versions."""

from __future__ import annotations

from pathlib import Path

import joblib
from azureml.core import Experiment, Model, Run, Workspace
from azureml.train.automl.run import AutoMLRun

from backends.messages import FetchedModel, ModelUpload, RegisteredModel, RunRef

AUTOML_MODEL_FILE = "model.pkl"


def fetch_automl_model(ws: Workspace, job: RunRef, folder: str) -> FetchedModel:
    """The AutoML job's best model, pickled into ``folder``, with the child run that trained it."""
    best_run, model = AutoMLRun(Experiment(ws, job.experiment), job.run_id).get_output()
    path = Path(folder) / AUTOML_MODEL_FILE
    joblib.dump(model, path)
    algorithm = best_run.properties.get("run_algorithm") or type(model).__name__
    return FetchedModel(path=str(path), run_id=best_run.id, algorithm=algorithm)


def fetch_run_outputs(ws: Workspace, run_id: str, prefix: str, folder: str) -> FetchedModel:
    """The run's files under ``prefix`` (e.g. ``outputs/model``), downloaded into ``folder``."""
    run = Run.get(ws, run_id)
    run.download_files(prefix=prefix, output_directory=folder)
    return FetchedModel(path=str(Path(folder) / prefix), run_id=run.id)


def _registered(model: Model) -> RegisteredModel:
    return RegisteredModel(name=model.name, version=int(model.version), id=model.id, tags=dict(model.tags))


def register(ws: Workspace, upload: ModelUpload) -> RegisteredModel:
    model = Model.register(
        ws,
        model_path=upload.path,
        model_name=upload.name,
        tags=dict(upload.tags),
        properties=dict(upload.properties),
        description=upload.description,
        model_framework=upload.framework,
        model_framework_version=upload.framework_version,
    )
    return _registered(model)


def find(ws: Workspace, name: str, tags: dict[str, str] | None = None) -> tuple[RegisteredModel, ...]:
    """Every version of ``name`` carrying all of ``tags``."""
    listed = Model.list(ws, name=name, tags=[[k, v] for k, v in (tags or {}).items()] or None)
    return tuple(_registered(model) for model in listed)


def add_tags(ws: Workspace, name: str, version: int, tags: dict[str, str]) -> RegisteredModel:
    model = Model(ws, name=name, version=version)
    model.add_tags(dict(tags))
    return _registered(Model(ws, name=name, version=version))


def download(ws: Workspace, name: str, version: int, folder: str) -> str:
    """The model's file (or folder) downloaded into ``folder``."""
    return str(Model(ws, name=name, version=version).download(target_dir=folder, exist_ok=True))
