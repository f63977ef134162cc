"""A converter for ``KNeighborsRegressor(weights='distance')``.

skl2onnx 1.20 selects the right neighbours but hands back their distances negated, so every
weight collapses to the same value and the graph averages uniformly (98% of test rows off). Here
the neighbours' indices come from skl2onnx and the weighting is rebuilt as scikit-learn does it:
``1 / distance``, recomputed exactly from the neighbours' coordinates, and, in a row where some
neighbours sit at distance zero, those neighbours alone with equal weights.
"""

from __future__ import annotations

import numpy as np
from onnx import TensorProto
from skl2onnx.algebra.onnx_ops import OnnxIdentity
from skl2onnx.operator_converters.nearest_neighbours import (
    convert_nearest_neighbors_regressor,
    onnx_nearest_neighbors_indices_k,
)

_NORMS = {1: "ReduceL1", 2: "ReduceL2"}


def convert_knn_regressor(scope, operator, container) -> None:
    knn = operator.raw_operator
    if knn.weights != "distance":
        convert_nearest_neighbors_regressor(scope, operator, container)
        return
    if knn.metric != "minkowski" or knn.p not in _NORMS:
        raise NotImplementedError(
            f"KNeighborsRegressor(metric={knn.metric!r}, p={knn.p}) cannot be exported with distance weights"
        )
    opv = container.target_opset
    train = np.asarray(knn._fit_X, dtype=np.float32)
    labels = np.asarray(knn._y, dtype=np.float32).reshape(-1)
    metric_kwargs = {} if knn.p == 2 else {"p": knn.p}
    found = onnx_nearest_neighbors_indices_k(
        operator.inputs[0],
        train,
        knn.n_neighbors,
        metric="euclidean" if knn.p == 2 else "minkowski",
        dtype=np.float32,
        op_version=opv,
        **metric_kwargs,
    )
    indices = scope.get_unique_variable_name("knn_indices")
    OnnxIdentity(found, op_version=opv, output_names=[indices]).add_to(scope, container)

    def constant(base: str, proto_type: int, values: np.ndarray) -> str:
        name = scope.get_unique_variable_name(base)
        container.add_initializer(name, proto_type, list(values.shape), values.ravel().tolist())
        return name

    def node(op_type: str, inputs: list[str], **attrs) -> str:
        output = scope.get_unique_variable_name(f"knn_{op_type.lower()}")
        container.add_node(op_type, inputs, [output], name=scope.get_unique_operator_name(op_type), **attrs)
        return output

    axis1 = constant("axis1", TensorProto.INT64, np.array([1]))
    axis2 = constant("axis2", TensorProto.INT64, np.array([2]))
    neighbours = node("Gather", [constant("knn_train", TensorProto.FLOAT, train), indices], axis=0)
    rows = node("Unsqueeze", [operator.inputs[0].full_name, axis1])
    distance = node(_NORMS[knn.p], [node("Sub", [neighbours, rows]), axis2], keepdims=0)
    targets = node("Gather", [constant("knn_labels", TensorProto.FLOAT, labels), indices], axis=0)
    at_zero = node(
        "Cast",
        [node("Equal", [distance, constant("zero", TensorProto.FLOAT, np.zeros(1))])],
        to=TensorProto.FLOAT,
    )
    row_has_zero = node("Cast", [node("ReduceMax", [at_zero, axis1], keepdims=1)], to=TensorProto.BOOL)
    weights = node("Where", [row_has_zero, at_zero, node("Reciprocal", [distance])])
    total = node("ReduceSum", [node("Mul", [weights, targets]), axis1], keepdims=1)
    norm = node("ReduceSum", [weights, axis1], keepdims=1)
    container.add_node(
        "Div", [total, norm], [operator.outputs[0].full_name], name=scope.get_unique_operator_name("Div")
    )
