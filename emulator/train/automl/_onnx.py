"""ONNX export of the AutoML emulator's own estimators, registered with ``onnx_export`` on import.

The library exports scikit-learn and LightGBM; the emulator owns how its own estimators become a
graph (as Azure's AutoML owns ``return_onnx_model``): the float32 featurizer's imputer and
LightGBM (its thresholds rounded down, :mod:`onnx_export._lightgbm`), the ensembles, and the converters below for engineered features and a transformed label.

Both compute in double, as scikit-learn does, and cast to float32 at the end: a float32 ratio or
exponential would move values by an ulp, enough to send rows down the other side of a tree's split
or to move a price by dollars.

* :class:`~emulator.train.automl.derived.DerivedFeatures`: ``log1p(max(num / den, 0))`` with 0
  where the denominator is 0 (``Div``, ``Where``, ``Max``, ``Log``), then ``x cos(a) + y sin(a)`` of the coordinates snapped to their grid,
  then ``Sqrt(dx * dx + dy * dy)`` to each cluster centre (the same IEEE operations as numpy's, so
  the same float32 values);
* :class:`~emulator.train.automl.target.LabelTransformRegressor`: the inner regressor's graph, then
  ``z * scale + mean`` and, on a log label, ``Exp(z) - 1``.
"""

from __future__ import annotations

import numpy as np
from onnx import TensorProto
from skl2onnx import update_registered_converter
from skl2onnx._supported_operators import sklearn_operator_name_map
from skl2onnx.common.data_types import FloatTensorType

from emulator.train.automl.derived import COORDINATE_GRID, DerivedFeatures
from emulator.train.automl.ensemble import StackEnsemble, VotingEnsemble
from emulator.train.automl.featurization import Float32Imputer
from emulator.train.automl.models.boosting import Float32LGBMRegressor
from emulator.train.automl.target import LabelTransformRegressor
from onnx_export import add_converters, register_ensemble, register_wrapper
from onnx_export._converters import (
    register_imputer,
    register_lightgbm,
    register_regressor,
)
from onnx_export._lightgbm import convert_lightgbm_thresholds_down
from onnx_export.families import EnsembleSpec, meta_learner, stacking_members, voting_members


class _Builder:
    """Adds nodes and double constants to the graph under unique names."""

    def __init__(self, scope, container):
        self.scope, self.container = scope, container

    def constant(self, base: str, values, proto_type: int = TensorProto.DOUBLE) -> str:
        values = np.asarray(values)
        name = self.scope.get_unique_variable_name(base)
        self.container.add_initializer(name, proto_type, list(values.shape), values.ravel().tolist())
        return name

    def node(self, op_type: str, inputs: list[str], output: str | None = None, **attrs) -> str:
        output = output or self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type, inputs, [output], name=self.scope.get_unique_operator_name(op_type), **attrs
        )
        return output

    def columns(self, source: str, positions) -> str:
        return self.node("Gather", [source, self.constant("positions", positions, TensorProto.INT64)], axis=1)


def derived_features_shape(operator) -> None:
    features = operator.raw_operator
    width = len(features.ratios) + len(features.rotations) + len(getattr(features, "centers_", ()))
    operator.outputs[0].type = FloatTensorType([operator.inputs[0].get_first_dimension(), width])


def convert_derived_features(scope, operator, container) -> None:
    features = operator.raw_operator
    b = _Builder(scope, container)
    source = b.node("Cast", [operator.inputs[0].full_name], to=TensorProto.DOUBLE)
    parts = []
    if features.ratios:
        numerators, denominators = (np.asarray(p, dtype=np.int64) for p in zip(*features.ratios, strict=True))
        top, bottom = b.columns(source, numerators), b.columns(source, denominators)
        zero = b.constant("zero", [0.0])
        ratio = b.node("Where", [b.node("Equal", [bottom, zero]), zero, b.node("Div", [top, bottom])])
        parts.append(b.node("Log", [b.node("Add", [b.node("Max", [ratio, zero]), b.constant("one", [1.0])])]))

    def on_grid(positions) -> str:
        grid = b.constant("grid", [COORDINATE_GRID])
        scaled = b.node("Mul", [b.columns(source, np.asarray(positions, dtype=np.int64)), grid])
        return b.node("Div", [b.node("Round", [scaled]), grid])

    if features.rotations:
        xs, ys, degrees = zip(*features.rotations, strict=True)
        angles = np.deg2rad(np.asarray(degrees, dtype=np.float64))
        x = b.node("Mul", [on_grid(xs), b.constant("cos", np.cos(angles))])
        y = b.node("Mul", [on_grid(ys), b.constant("sin", np.sin(angles))])
        parts.append(b.node("Add", [x, y]))
    if features.clusters is not None:
        x, y = features.clusters[:2]
        dx = b.node("Sub", [on_grid([x]), b.constant("center_x", features.centers_[:, 0])])
        dy = b.node("Sub", [on_grid([y]), b.constant("center_y", features.centers_[:, 1])])
        squared = b.node("Add", [b.node("Mul", [dx, dx]), b.node("Mul", [dy, dy])])
        parts.append(b.node("Sqrt", [squared]))
    joined = b.node("Concat", parts, axis=1) if len(parts) > 1 else parts[0]
    b.node("Cast", [joined], operator.outputs[0].full_name, to=TensorProto.FLOAT)


def convert_label_transform(scope, operator, container) -> None:
    model = operator.raw_operator
    b = _Builder(scope, container)
    inner = scope.declare_local_operator(sklearn_operator_name_map[type(model.regressor_)], model.regressor_)
    inner.inputs = operator.inputs
    prediction = scope.declare_local_variable("transformed_prediction", FloatTensorType())
    inner.outputs.append(prediction)
    z = b.node("Cast", [prediction.onnx_name], to=TensorProto.DOUBLE)
    z = b.node("Reshape", [z, b.constant("column_shape", [-1, 1], TensorProto.INT64)])
    z = b.node(
        "Add", [b.node("Mul", [z, b.constant("scale", [model.scale_])]), b.constant("mean", [model.mean_])]
    )
    if model.log:
        z = b.node("Sub", [b.node("Exp", [z]), b.constant("one", [1.0])])
    b.node("Cast", [z], operator.outputs[0].full_name, to=TensorProto.FLOAT)


def _install_converters() -> None:
    register_lightgbm(Float32LGBMRegressor, "AutoMLFloat32LGBMRegressor", convert_lightgbm_thresholds_down)
    # The graph's imputer works in float32 already: the native rounding needs no node of its own.
    register_imputer(Float32Imputer, "AutoMLFloat32Imputer")
    update_registered_converter(
        DerivedFeatures, "AutoMLDerivedFeatures", derived_features_shape, convert_derived_features
    )
    register_regressor(LabelTransformRegressor, "AutoMLLabelTransformRegressor", convert_label_transform)


register_ensemble(EnsembleSpec(VotingEnsemble, "AutoMLVotingEnsemble", voting_members))
register_ensemble(EnsembleSpec(StackEnsemble, "AutoMLStackEnsemble", stacking_members, meta_learner))
register_wrapper(LabelTransformRegressor, lambda model: getattr(model, "regressor_", model.regressor))
add_converters(_install_converters)
