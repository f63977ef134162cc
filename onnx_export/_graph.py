"""The product's graphs in Azure AutoML's layout: one ``[N, 1]`` input per raw housing column.

skl2onnx names each input after its column (the housing columns are C names already), as Azure's
converter does; :func:`housing_layout` describes such a graph with the resource file Azure writes
beside its own (``training.onnx_layout``), so every graph the duel ships is fed one way.
"""

from __future__ import annotations

import onnx
from skl2onnx.common.data_types import FloatTensorType, StringTensorType

from training.onnx_layout import OnnxInput, OnnxLayout, onnx_type_of
from training.schema import CATEGORICAL_COLUMN, FEATURE_COLUMNS, NUMERIC_COLUMNS

OPSETS = {"": 18, "ai.onnx.ml": 3}
# pandas' infer_dtype names of the housing columns, as Azure records them.
_RAW_TYPES = {**dict.fromkeys(NUMERIC_COLUMNS, "floating"), CATEGORICAL_COLUMN: "string"}


def column_initial_types() -> list[tuple[str, object]]:
    """skl2onnx initial types: one ``[N, 1]`` input per raw feature column, named after it."""
    numeric = [(column, FloatTensorType([None, 1])) for column in NUMERIC_COLUMNS]
    return [*numeric, (CATEGORICAL_COLUMN, StringTensorType([None, 1]))]


def housing_layout(model: onnx.ModelProto) -> OnnxLayout:
    """The resource file's layout of a graph whose inputs are the housing columns in their order."""
    names = [value.name for value in model.graph.input]
    if len(names) != len(FEATURE_COLUMNS):
        raise ValueError(f"expected one input per housing column ({len(FEATURE_COLUMNS)}), got {names}")
    return OnnxLayout(
        tuple(
            OnnxInput(column, name, _RAW_TYPES[column], onnx_type_of(_RAW_TYPES[column]))
            for column, name in zip(FEATURE_COLUMNS, names, strict=True)
        )
    )


def set_metadata(model: onnx.ModelProto, metadata: dict[str, str]) -> onnx.ModelProto:
    """Replace the model's metadata properties with ``metadata`` (values as strings)."""
    del model.metadata_props[:]
    for key, value in sorted(metadata.items()):
        model.metadata_props.add(key=key, value=str(value))
    return model
