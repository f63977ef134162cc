"""A fitted AutoML pipeline as Azure's AutoML converts it: one ``[n, 1]`` input per raw column,
and the resource document Azure saves beside the graph as ``outputs/model_onnx.json``.

Azure's ``OnnxConverter`` (azureml-automl-runtime) types each raw column with pandas'
``infer_dtype`` (``floating`` -> ``FloatTensorType``, ``integer`` -> ``Int64TensorType``, strings,
booleans, dates and mixed columns -> ``StringTensorType``), drops columns that hold nothing, names
each input after its column in C style (skl2onnx's naming), and records the mapping under the keys
of ``OnnxConvertConstants``. A pipeline holding a nearest-neighbours model cannot take a batch
(skl2onnx broadcasts its ``Sub``): its inputs are ``[1, 1]`` and ``CanEnableBatchMode`` is false.
Any tabular columns convert; nothing here knows the duel's data.
"""

from __future__ import annotations

from typing import Any

import onnx
import pandas as pd
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, Int64TensorType, StringTensorType
from sklearn.neighbors import KNeighborsRegressor

from onnx_export._converters import register_converters

# OnnxConvertConstants' resource keys and model producer.
RAW_TO_ONNX, RAW_SCHEMA, ONNX_SCHEMA, BATCH_MODE = (
    "RawColumnNameToOnnxNameMap", "InputRawColumnSchema", "InputOnnxColumnSchema", "CanEnableBatchMode"
)  # fmt: skip
PRODUCER = "AutoML"
# ReduceL1/L2 with axes as an input (the neighbours' converter) needs opset 18.
OPSETS = {"": 18, "ai.onnx.ml": 3}
_FLOATING = ("floating", "mixed-integer-float")
_MEMBERS = ("steps", "estimators_", "regressor_", "final_estimator_")


def raw_column_types(frame: pd.DataFrame) -> dict[str, str]:
    """pandas' ``infer_dtype`` of each column that holds a value, as Azure's converter records it."""
    kept = frame.dropna(axis=1, how="all")
    return {str(column): pd.api.types.infer_dtype(kept[column], skipna=True) for column in kept.columns}


def _tensor_type(raw_type: str) -> type:
    if raw_type in _FLOATING:
        return FloatTensorType
    return Int64TensorType if raw_type == "integer" else StringTensorType


def _has_neighbours(model: Any) -> bool:
    if isinstance(model, KNeighborsRegressor):
        return True
    if isinstance(model, tuple):  # a (name, estimator) step
        return any(_has_neighbours(part) for part in model)
    for attribute in _MEMBERS:
        members = getattr(model, attribute, None)
        if members is None:
            continue
        if any(_has_neighbours(m) for m in (members if isinstance(members, list) else [members])):
            return True
    return False


def to_azure_onnx(model: Any, raw_types: dict[str, str]) -> tuple[onnx.ModelProto, dict[str, Any]]:
    """``model`` (a pipeline taking the raw frame) as a graph and its ``model_onnx.json`` document."""
    register_converters()
    batch = not _has_neighbours(model)
    shape = [None, 1] if batch else [1, 1]
    initial = [(column, _tensor_type(raw)(shape=list(shape))) for column, raw in raw_types.items()]
    graph = convert_sklearn(model, initial_types=initial, target_opset=dict(OPSETS))
    graph.producer_name = PRODUCER
    if batch:  # Azure's symbolic batch dimension (skl2onnx 1.20 takes None, not a name, for it)
        for value in graph.graph.input:
            value.type.tensor_type.shape.dim[0].dim_param = "n"
    # skl2onnx declares the inputs in the order of the initial types, under their C-style names.
    names = [value.name for value in graph.graph.input]
    if len(names) != len(initial):
        raise ValueError(f"the graph has inputs {names} for the raw columns {list(raw_types)}")
    resource = {
        RAW_TO_ONNX: dict(zip(raw_types, names, strict=True)),
        RAW_SCHEMA: dict(raw_types),
        ONNX_SCHEMA: {name: type(t).__name__ for name, (_, t) in zip(names, initial, strict=True)},
        BATCH_MODE: batch,
    }
    return graph, resource
