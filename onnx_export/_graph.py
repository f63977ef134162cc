"""Graph surgery that puts every exported model behind the input contract of ``training.schema``.

Converters see one input per raw column (so column selection by name or position works in any
featurizer); :func:`bind_contract_inputs` then replaces the eight numeric column inputs with the
single ``numeric`` float32 ``[N, 8]`` input, split back into columns by the graph's first node.
"""

from __future__ import annotations

import json

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from skl2onnx.common.data_types import FloatTensorType, StringTensorType

from training.schema import CATEGORICAL_INPUT, NUMERIC_COLUMNS, NUMERIC_INPUT

OPSETS = {"": 18, "ai.onnx.ml": 3}


def column_initial_types() -> list[tuple[str, object]]:
    """skl2onnx initial types: one ``[N, 1]`` input per raw feature column, named after it."""
    numeric = [(column, FloatTensorType([None, 1])) for column in NUMERIC_COLUMNS]
    return [*numeric, (CATEGORICAL_INPUT, StringTensorType([None, 1]))]


def contract_inputs() -> list[onnx.ValueInfoProto]:
    return [
        helper.make_tensor_value_info(NUMERIC_INPUT, TensorProto.FLOAT, ["N", len(NUMERIC_COLUMNS)]),
        helper.make_tensor_value_info(CATEGORICAL_INPUT, TensorProto.STRING, ["N", 1]),
    ]


def input_schema() -> str:
    """The input contract as JSON, for the graph's metadata and the registry."""
    return json.dumps(
        {
            "inputs": [
                {
                    "name": NUMERIC_INPUT,
                    "type": "float32",
                    "shape": [None, len(NUMERIC_COLUMNS)],
                    "columns": list(NUMERIC_COLUMNS),
                    "missing": "NaN",
                },
                {
                    "name": CATEGORICAL_INPUT,
                    "type": "string",
                    "shape": [None, 1],
                    "unknown_category": "scored",
                },
            ],
            "output": {"index": 0, "meaning": "median_house_value in dollars"},
        }
    )


def bind_contract_inputs(model: onnx.ModelProto) -> onnx.ModelProto:
    """Rewire a graph with per-column inputs to take the contract's two inputs instead."""
    graph = model.graph
    kept = [value for value in graph.input if value.name not in (*NUMERIC_COLUMNS, CATEGORICAL_INPUT)]
    del graph.input[:]
    graph.input.extend([*contract_inputs(), *kept])
    sizes = numpy_helper.from_array(
        np.ones(len(NUMERIC_COLUMNS), dtype=np.int64), name=_unique(graph, "numeric_split_sizes")
    )
    graph.initializer.append(sizes)
    split = helper.make_node(
        "Split",
        [NUMERIC_INPUT, sizes.name],
        list(NUMERIC_COLUMNS),
        axis=1,
        name=_unique(graph, "SplitNumericColumns"),
    )
    graph.node.insert(0, split)
    return model


def _unique(graph: onnx.GraphProto, base: str) -> str:
    taken = {*(n.name for n in graph.node), *(i.name for i in graph.initializer)}
    taken.update(name for n in graph.node for name in (*n.input, *n.output))
    name, counter = base, 0
    while name in taken:
        counter += 1
        name = f"{base}_{counter}"
    return name


def set_metadata(model: onnx.ModelProto, metadata: dict[str, str]) -> onnx.ModelProto:
    """Replace the model's metadata properties with ``metadata`` (values as strings)."""
    del model.metadata_props[:]
    for key, value in sorted(metadata.items()):
        model.metadata_props.add(key=key, value=str(value))
    return model
