"""``to_onnx``: any winning model as one ONNX graph that follows the input contract.

Accepted models (``docs/CONTRACTS.md``): scikit-learn / LightGBM pipelines and ensembles taking
the raw feature DataFrame (the AutoML winners), and estimators whose library registered an
exporter with :func:`register_exporter` (``onnx_export.mlp`` for the HyperDrive winner's MLP). The graph
takes one ``[N, 1]`` input per raw column, as Azure's AutoML graphs do (float32 with NaN for a missing
number, strings), and returns the price in dollars as its first output; :func:`layout_of` gives the
``model_onnx.json`` that describes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import onnx
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from onnx_export._graph import housing_layout, set_metadata
from onnx_export._sklearn import sklearn_to_onnx
from onnx_export.families import algorithm_of
from training.onnx_layout import OnnxLayout

INPUT_SCHEMA, SOURCE_ALGORITHM, TRAINING_RUN_ID, DATASET_VERSION = (
    "input_schema",
    "source_algorithm",
    "training_run_id",
    "dataset_version",
)
_EXPORTERS: dict[type, Callable[[Any], onnx.ModelProto]] = {}


def register_exporter(model_type: type, exporter: Callable[[Any], onnx.ModelProto]) -> None:
    """Export instances of ``model_type`` with ``exporter`` (a graph on the input contract) instead of skl2onnx."""
    _EXPORTERS[model_type] = exporter


def to_onnx(model: Any, *, metadata: Mapping[str, Any] | None = None) -> onnx.ModelProto:
    """Export a fitted model; ``metadata`` (e.g. ``training_run_id``, ``dataset_version``) is stored
    in the graph's metadata properties beside ``input_schema`` and ``source_algorithm``, which are
    filled in unless given."""
    if not isinstance(model, BaseEstimator):
        raise TypeError(
            f"cannot export {type(model).__name__}: expected a scikit-learn estimator, pipeline or TorchMLPRegressor"
        )
    check_is_fitted(model)
    exporter = next((fn for cls, fn in _EXPORTERS.items() if isinstance(model, cls)), sklearn_to_onnx)
    exported = exporter(model)
    exported.producer_name = "automl-duel"
    del exported.metadata_props[:]
    return stamp(exported, algorithm_of(model), metadata)


def layout_of(graph: onnx.ModelProto) -> OnnxLayout:
    """The ``model_onnx.json`` layout of a graph made by :func:`to_onnx`."""
    return housing_layout(graph)


def stamp(
    graph: onnx.ModelProto,
    source_algorithm: str,
    metadata: Mapping[str, Any] | None = None,
    layout: OnnxLayout | None = None,
) -> onnx.ModelProto:
    """Add ``input_schema`` (the layout's resource document; by default :func:`layout_of` the graph),
    ``source_algorithm`` and ``metadata`` to a graph's metadata properties (keeping those it has),
    and check it; also for graphs made elsewhere, such as AutoML's own copy."""
    schema = json.dumps((layout or layout_of(graph)).resource())
    properties = {prop.key: prop.value for prop in graph.metadata_props}
    properties.update({INPUT_SCHEMA: schema, SOURCE_ALGORITHM: source_algorithm, **(metadata or {})})
    set_metadata(graph, {key: str(value) for key, value in properties.items()})
    onnx.checker.check_model(graph)
    return graph
