"""Fetch contestants' models from their runs; register, find, tag and download model versions."""

from __future__ import annotations

import hashlib
from pathlib import Path

from azureml.core import Dataset, Experiment, Model, Run, Workspace
from azureml.train.automl.run import AutoMLRun

from backends.messages import FetchedModel, ModelUpload, RegisteredModel, RunRef

# What Azure's AutoML writes in each child's outputs with enable_onnx_compatible_models.
AUTOML_ONNX = "outputs/model.onnx"
# Azure's MODEL_RESOURCE_PATH_ONNX: the graph's per-column input layout, fetched to lie beside it.
AUTOML_ONNX_RESOURCE = "outputs/model_onnx.json"
AUTOML_NATIVE = "outputs/model.pkl"


def fetch_automl_model(ws: Workspace, job: RunRef, folder: str) -> FetchedModel:
    """The AutoML job's best ONNX-compatible child: its ``model.onnx`` (what ships and is judged) with
    the ``model_onnx.json`` that says how to feed it, beside it, and its ``model.pkl`` (kept as a file: opening it needs the AutoML runtime, which does not install
    beside this SDK), downloaded into ``folder``."""
    best = AutoMLRun(Experiment(ws, job.experiment), job.run_id).get_best_child(onnx_compatible=True)
    files = {}
    for artifact in (AUTOML_ONNX, AUTOML_ONNX_RESOURCE, AUTOML_NATIVE):
        files[artifact] = str(Path(folder) / Path(artifact).name)
        best.download_file(artifact, output_file_path=files[artifact])
    algorithm = best.get_properties().get("run_algorithm", "")
    return FetchedModel(
        path=files[AUTOML_ONNX], run_id=best.id, algorithm=algorithm, native_path=files[AUTOML_NATIVE]
    )


def fetch_run_outputs(ws: Workspace, run_id: str, prefix: str, folder: str) -> FetchedModel:
    """The run's files under ``prefix`` (e.g. ``outputs/model``), downloaded into ``folder``."""
    run = Run.get(ws, run_id)
    run.download_files(prefix=prefix, output_directory=folder)
    return FetchedModel(path=str(Path(folder) / prefix), run_id=run.id)


def _registered(model: Model) -> RegisteredModel:
    return RegisteredModel(name=model.name, version=int(model.version), id=model.id, tags=dict(model.tags))


def _register_from_run(ws: Workspace, upload: ModelUpload) -> Model:
    """Upload the file into the run's outputs (named by its content, so a retry finds it) and register
    it from there: the version then records the run and the datasets it was trained on."""
    run = Run.get(ws, upload.run_id)
    source = Path(upload.path)
    files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.relative_to(source.parent).as_posix().encode() + file.read_bytes())
    artifact = f"outputs/registered/{digest.hexdigest()[:12]}/{source.name}"
    if not any(name == artifact or name.startswith(f"{artifact}/") for name in run.get_file_names()):
        if source.is_dir():
            run.upload_folder(artifact, str(source))
        else:
            run.upload_file(artifact, str(source))
    return run.register_model(
        model_name=upload.name,
        model_path=artifact,
        tags=dict(upload.tags),
        properties=dict(upload.properties),
        description=upload.description,
        model_framework=upload.framework,
        model_framework_version=upload.framework_version or None,
        datasets=[
            ("training data", Dataset.get_by_name(ws, ref.name, version=ref.version))
            for ref in upload.training_datasets
        ],
    )


def register(ws: Workspace, upload: ModelUpload) -> RegisteredModel:
    if upload.run_id:
        return _registered(_register_from_run(ws, upload))
    model = Model.register(
        ws,
        model_path=upload.path,
        model_name=upload.name,
        tags=dict(upload.tags),
        properties=dict(upload.properties),
        description=upload.description,
        model_framework=upload.framework,
        model_framework_version=upload.framework_version or None,
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
