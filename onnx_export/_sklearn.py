"""scikit-learn and LightGBM pipelines (ensembles included) to one ONNX graph via skl2onnx."""

from __future__ import annotations

from typing import Any

import onnx
from skl2onnx import convert_sklearn

from onnx_export._converters import register_converters
from onnx_export._graph import OPSETS, column_initial_types


def sklearn_to_onnx(model: Any, *, name: str = "housing") -> onnx.ModelProto:
    """Convert a fitted estimator that takes the raw feature frame: one ``[N, 1]`` input per column."""
    register_converters()
    return convert_sklearn(model, name=name, initial_types=column_initial_types(), target_opset=dict(OPSETS))
