"""Fetch contestants' files from their jobs; register, find, tag and download model versions (SDK v2)."""

from __future__ import annotations

from pathlib import Path

from azure.ai.ml import MLClient
from azure.ai.ml.constants import AssetTypes
from azure.ai.ml.entities import Model

from backends.azure_v2.jobs import AUTOML_BEST_CHILD
from backends.messages import FetchedModel, ModelUpload, RegisteredModel, RunRef

# A job's default output: its artifacts (outputs/, logs/), downloaded under this folder.
_ARTIFACTS = "artifacts"
AUTOML_ONNX = "outputs/model.onnx"
AUTOML_NATIVE = "outputs/model.pkl"


def _download_artifacts(ml_client: MLClient, run_id: str, folder: str) -> Path:
    ml_client.jobs.download(run_id, download_path=folder)
    return Path(folder) / _ARTIFACTS


def fetch_automl_model(ml_client: MLClient, job: RunRef, folder: str) -> FetchedModel:
    """The AutoML job's best child's ONNX copy (what ships and is judged) and its pickle, as files."""
    best = ml_client.jobs.get(job.run_id).tags.get(AUTOML_BEST_CHILD)
    if not best:
        raise RuntimeError(f"AutoML job {job.run_id} names no best child ({AUTOML_BEST_CHILD})")
    artifacts = _download_artifacts(ml_client, best, folder)
    onnx = artifacts / AUTOML_ONNX
    if not onnx.is_file():
        raise RuntimeError(f"AutoML child {best} has no {AUTOML_ONNX}: was the job ONNX-compatible?")
    algorithm = (ml_client.jobs.get(best).properties or {}).get("run_algorithm", "")
    native = artifacts / AUTOML_NATIVE
    return FetchedModel(str(onnx), best, algorithm, str(native) if native.is_file() else None)


def fetch_run_outputs(ml_client: MLClient, run_id: str, prefix: str, folder: str) -> FetchedModel:
    """The job's files under ``prefix`` (e.g. ``outputs/model``), downloaded into ``folder``."""
    return FetchedModel(path=str(_download_artifacts(ml_client, run_id, folder) / prefix), run_id=run_id)


def _registered(model: Model) -> RegisteredModel:
    return RegisteredModel(model.name, int(model.version), model.id, dict(model.tags or {}))


def register(ml_client: MLClient, upload: ModelUpload) -> RegisteredModel:
    """A new version of ``upload.name`` (v2 models carry no framework field: it goes to properties)."""
    model = Model(
        path=upload.path,
        name=upload.name,
        type=AssetTypes.CUSTOM_MODEL,
        description=upload.description,
        tags=dict(upload.tags),
        properties={
            **upload.properties,
            "framework": upload.framework,
            "framework_version": upload.framework_version,
        },
    )
    return _registered(ml_client.models.create_or_update(model))


def find(ml_client: MLClient, name: str, tags: dict[str, str] | None = None) -> tuple[RegisteredModel, ...]:
    """Every version of ``name`` carrying all of ``tags``."""
    wanted = (tags or {}).items()
    found = (_registered(model) for model in ml_client.models.list(name=name))
    return tuple(model for model in found if wanted <= model.tags.items())


def add_tags(ml_client: MLClient, name: str, version: int, tags: dict[str, str]) -> RegisteredModel:
    model = ml_client.models.get(name, version=str(version))
    model.tags = {**(model.tags or {}), **tags}
    return _registered(ml_client.models.create_or_update(model))


def download(ml_client: MLClient, name: str, version: int, folder: str) -> str:
    """The model's file (or folder) downloaded into ``folder``."""
    ml_client.models.download(name, str(version), download_path=folder)
    # The SDK writes under <folder>/<name>/: the file, or the folder that was registered.
    target = Path(folder) / name
    if target.is_file():
        return str(target)
    (entry,) = target.iterdir()
    return str(entry)
