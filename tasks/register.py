"""Register a winner twice, as ONNX (the deployable copy) and as its native artifact, with lineage.

Both versions carry the same lineage as tags (searchable with ``Model.list(ws, tags=[...])``) and
properties (immutable): source algorithm, test metrics on the fixed split, dataset name and
version, training run id and split fingerprint. The properties also hold the input schema and the
parity figures, and the ONNX model's properties name the native version it was exported from.
The ONNX version is a folder: ``model.onnx`` and the ``model_onnx.json`` that says how to feed it,
as Azure's AutoML writes them, so the scoring script finds both in the model's directory.

Nothing is registered unless the parity report passed.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import joblib
import onnx
import sklearn
import torch

from backends import Backend
from backends.messages import DatasetRef, ModelUpload, RegisteredModel
from onnx_export.export import INPUT_SCHEMA, SOURCE_ALGORITHM, layout_of
from onnx_export.families import algorithm_of
from onnx_export.parity import ParityReport
from training import mlp
from training.onnx_layout import OnnxLayout

ONNX_FILE = "model.onnx"
ONNX_FOLDER = "onnx"
NATIVE_SUFFIX = "-native"
_ONNX_FRAMEWORK, _SKLEARN_FRAMEWORK, _TORCH_FRAMEWORK = "Onnx", "ScikitLearn", "PyTorch"


class ParityNotPassedError(ValueError):
    """Registration was asked for a model whose ONNX copy failed the parity gate."""


def _parity_figures(parity: ParityReport | Mapping[str, Any]) -> dict[str, Any]:
    figures = parity.as_dict() if isinstance(parity, ParityReport) else dict(parity)
    if not figures.get("passed", False):
        raise ParityNotPassedError(
            f"refusing to register: the ONNX copy failed the parity gate "
            f"({figures.get('share_beyond_tolerance')} of rows beyond tolerance, "
            f"{figures.get('rows_beyond_bound', 0)} row(s) beyond the bound on any one row's error)"
        )
    return figures


def _metadata(onnx_model: onnx.ModelProto) -> dict[str, str]:
    return {prop.key: prop.value for prop in onnx_model.metadata_props}


def _save_native(model: Any, folder: Path) -> tuple[Path, str, str]:
    """Write the native artifact; return its path, framework and framework version.

    A path is a native artifact already written (AutoML's own pickle, registered unopened: the
    scikit-learn version it needs is AutoML's, not this process's).
    """
    if isinstance(model, str | Path):
        return Path(model), _SKLEARN_FRAMEWORK, ""
    if isinstance(model, mlp.TorchMLPRegressor):
        return mlp.save(model, folder / "model"), _TORCH_FRAMEWORK, torch.__version__.split("+")[0]
    path = folder / "model.pkl"
    joblib.dump(model, path)
    return path, _SKLEARN_FRAMEWORK, sklearn.__version__


def lineage(
    model: Any,
    onnx_model: onnx.ModelProto,
    *,
    metrics: Mapping[str, float],
    dataset_name: str,
    dataset_version: int | str,
    run_id: str,
    split_fingerprint: str,
) -> dict[str, str]:
    """The tags both registered versions carry.

    Args:
        model: the native model.
        onnx_model: its ONNX copy.
        metrics: its test metrics.
        dataset_name: the training dataset.
        dataset_version: its version.
        run_id: the run that trained it.
        split_fingerprint: the test split's fingerprint.

    Returns:
        The tags, as strings.
    """
    return {
        SOURCE_ALGORITHM: _metadata(onnx_model).get(SOURCE_ALGORITHM) or algorithm_of(model),
        "dataset_name": str(dataset_name),
        "dataset_version": str(dataset_version),
        "training_run_id": str(run_id),
        "split_fingerprint": str(split_fingerprint),
        **{name: f"{float(value):.6g}" for name, value in metrics.items()},
    }


def _registered_before(
    backend: Backend, name: str, tags: Mapping[str, str]
) -> tuple[RegisteredModel, RegisteredModel] | None:
    """The pair registered earlier for this very lineage (same training run, split and metrics): a
    retried night runs this step again, and registering again would add versions that differ in
    their number alone."""
    onnx_versions = backend.find_models(name, {**tags, "format": "onnx"})
    native_versions = backend.find_models(f"{name}{NATIVE_SUFFIX}", {**tags, "format": "native"})
    if not onnx_versions or not native_versions:
        return None
    return max(onnx_versions, key=lambda m: m.version), max(native_versions, key=lambda m: m.version)


def register_versions(
    backend: Backend,
    model: Any,
    onnx_model: onnx.ModelProto,
    *,
    name: str,
    metrics: Mapping[str, float],
    parity: ParityReport | Mapping[str, Any],
    layout: OnnxLayout | None = None,
    dataset_name: str,
    dataset_version: int | str,
    run_id: str,
    split_fingerprint: str,
) -> tuple[RegisteredModel, RegisteredModel]:
    """Register ``onnx_model`` as ``name`` (framework Onnx) and ``model`` as ``name-native``.

    ``parity`` is the gate's :class:`ParityReport` (or its ``as_dict()``); a failed one raises
    :class:`ParityNotPassedError` and registers nothing. ``layout`` is the graph's ``model_onnx.json``
    (AutoML's own; by default that of a graph made by ``to_onnx``), registered beside it. Returns ``(onnx Model, native Model)``:
    those registered before when this lineage already is.

    Args:
        backend: the open backend.
        model: the native model.
        onnx_model: its ONNX copy.
        name: the model name.
        metrics: its test metrics.
        parity: the gate's report.
        dataset_name: the training dataset.
        dataset_version: its version.
        run_id: the run that trained it.
        split_fingerprint: the test split's fingerprint.
    """
    figures = _parity_figures(parity)
    tags = lineage(
        model,
        onnx_model,
        metrics=metrics,
        dataset_name=dataset_name,
        dataset_version=dataset_version,
        run_id=run_id,
        split_fingerprint=split_fingerprint,
    )
    earlier = _registered_before(backend, name, tags)
    if earlier is not None:
        return earlier
    properties = {
        **tags,
        INPUT_SCHEMA: _metadata(onnx_model).get(INPUT_SCHEMA, ""),
        **{f"parity_{key}": json.dumps(value) for key, value in figures.items()},
    }
    # Registered from the run that trained it: the registry shows that run and its training data.
    training = (DatasetRef(dataset_name, int(dataset_version)),)
    with tempfile.TemporaryDirectory(prefix="duel-register-") as staging:
        folder = Path(staging)
        native_path, framework, framework_version = _save_native(model, folder)
        native = backend.register_model(
            ModelUpload(
                path=str(native_path),
                name=f"{name}{NATIVE_SUFFIX}",
                tags={**tags, "format": "native"},
                properties=properties,
                description=f"{tags[SOURCE_ALGORITHM]} ({framework}), the source of the ONNX model {name}",
                framework=framework,
                framework_version=framework_version,
                run_id=run_id,
                training_datasets=training,
            )
        )
        onnx_path = folder / ONNX_FOLDER / ONNX_FILE
        onnx_path.parent.mkdir()
        onnx.save_model(onnx_model, onnx_path)
        (layout or layout_of(onnx_model)).write(onnx_path)
        exported = backend.register_model(
            ModelUpload(
                path=str(onnx_path.parent),
                name=name,
                tags={**tags, "format": "onnx"},
                properties={**properties, "native_model_id": native.id},
                description=f"{tags[SOURCE_ALGORITHM]} as one ONNX graph (raw housing columns in, dollars out)",
                framework=_ONNX_FRAMEWORK,
                framework_version=onnx.__version__,
                run_id=run_id,
                training_datasets=training,
            )
        )
    return exported, native
