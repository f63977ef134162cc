"""``to_onnx``: any winning model as one ONNX graph that follows the input contract.

Accepted models (``docs/CONTRACTS.md``): scikit-learn / LightGBM pipelines and ensembles taking
the raw feature DataFrame (the AutoML winners), and ``training.mlp.TorchMLPRegressor`` (the
HyperDrive winner). The graph takes ``numeric`` float32 ``[N, 8]`` (NaN for missing) and
``ocean_proximity`` string ``[N, 1]`` and returns the price in dollars as its first output.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import onnx
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from tasks.onnx._graph import input_schema, set_metadata
from tasks.onnx._sklearn import sklearn_to_onnx
from tasks.onnx._torch import mlp_to_onnx
from tasks.onnx.families import algorithm_of
from training.mlp import TorchMLPRegressor

INPUT_SCHEMA, SOURCE_ALGORITHM, TRAINING_RUN_ID, DATASET_VERSION = (
    "input_schema",
    "source_algorithm",
    "training_run_id",
    "dataset_version",
)


def to_onnx(model: Any, *, metadata: Mapping[str, Any] | None = None) -> onnx.ModelProto:
    """Export a fitted model; ``metadata`` (e.g. ``training_run_id``, ``dataset_version``) is stored
    in the graph's metadata properties beside ``input_schema`` and ``source_algorithm``, which are
    filled in unless given."""
    if not isinstance(model, BaseEstimator):
        raise TypeError(
            f"cannot export {type(model).__name__}: expected a scikit-learn estimator, pipeline or TorchMLPRegressor"
        )
    check_is_fitted(model)
    exported = mlp_to_onnx(model) if isinstance(model, TorchMLPRegressor) else sklearn_to_onnx(model)
    exported.producer_name = "automl-duel"
    properties = {INPUT_SCHEMA: input_schema(), SOURCE_ALGORITHM: algorithm_of(model), **(metadata or {})}
    set_metadata(exported, {key: str(value) for key, value in properties.items()})
    onnx.checker.check_model(exported)
    return exported
