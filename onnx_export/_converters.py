"""skl2onnx registrations the housing models need, installed once per process.

* LightGBM: onnxmltools' converter, registered for ``LGBMRegressor`` so that it converts inside
  scikit-learn pipelines and ensembles.
* ``SimpleImputer`` on strings with a NaN marker (how the AutoML featurizer imputes categories):
  a string tensor cannot hold NaN, so in the graph an empty string marks a missing category and is
  replaced by the imputer's fill value.
* The scalers AutoML puts in front of its algorithms, trees included: computed in double as
  scikit-learn computes them, then cast to float32 (as scikit-learn trees cast their input). skl2onnx's
  float32 scaler moves values by an ulp, enough to send rows down the other side of a full-depth
  tree's split (1.2% of test rows for one tree); in double, a scaled tree matches exactly on
  float32-representable inputs. What remains is the float32 input contract itself: natively the
  scaler sees the float64 value, so deep trees behind a scaler still differ on some rows.
* ``KNeighborsRegressor`` with distance weights (see ``_neighbors``).
* The ensembles of :data:`onnx_export.families.ENSEMBLES`, whose members are whole pipelines reading
  the raw columns: skl2onnx's own stacking converter takes a single input tensor.

Libraries with estimators of their own (the AutoML emulator) add their registrations with
:func:`add_converters`; they run with these, once, before the first conversion.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
from lightgbm import LGBMRegressor
from onnx import TensorProto
from onnxmltools.convert.lightgbm.operator_converters.LightGbm import convert_lightgbm
from skl2onnx import update_registered_converter
from skl2onnx._supported_operators import sklearn_operator_name_map
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from skl2onnx.common.shape_calculator import calculate_linear_regressor_output_shapes
from skl2onnx.operator_converters.imputer_op import convert_sklearn_imputer
from skl2onnx.shape_calculators.imputer import calculate_sklearn_imputer_output_shapes
from skl2onnx.shape_calculators.nearest_neighbours import calculate_sklearn_nearest_neighbours_regressor
from skl2onnx.shape_calculators.scaler import calculate_sklearn_scaler_output_shapes
from sklearn.impute import SimpleImputer
from sklearn.neighbors import KNeighborsRegressor
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

from onnx_export._neighbors import convert_knn_regressor
from onnx_export.families import ENSEMBLES, EnsembleSpec

_installers: list[Callable[[], None]] = []
_installed: set[Callable[[], None]] = set()


def convert_string_aware_imputer(scope, operator, container) -> None:
    imputer = operator.raw_operator
    if isinstance(operator.inputs[0].type, StringTensorType) and not isinstance(imputer.missing_values, str):
        text_imputer = copy.copy(imputer)
        text_imputer.missing_values = ""
        operator.raw_operator = text_imputer
    convert_sklearn_imputer(scope, operator, container)


def _scaler_steps(scaler) -> list[tuple[str, Any]]:
    """The elementwise operations ``scaler.transform`` applies, in its order (None: skipped)."""
    if isinstance(scaler, MinMaxScaler):
        if scaler.clip:
            raise NotImplementedError("MinMaxScaler(clip=True) cannot be exported")
        return [("Mul", scaler.scale_), ("Add", scaler.min_)]
    if isinstance(scaler, MaxAbsScaler):
        return [("Div", scaler.scale_)]
    if isinstance(scaler, StandardScaler):
        return [
            ("Sub", scaler.mean_ if scaler.with_mean else None),
            ("Div", scaler.scale_ if scaler.with_std else None),
        ]
    return [  # RobustScaler
        ("Sub", scaler.center_ if scaler.with_centering else None),
        ("Div", scaler.scale_ if scaler.with_scaling else None),
    ]


def _convert_double_scaler(scope, operator, container) -> None:
    current = scope.get_unique_variable_name("scaler_double")
    container.add_node(
        "Cast",
        [operator.inputs[0].full_name],
        [current],
        to=TensorProto.DOUBLE,
        name=scope.get_unique_operator_name("Cast"),
    )
    for op_type, values in _scaler_steps(operator.raw_operator):
        if values is None:
            continue
        constant = scope.get_unique_variable_name(f"scaler_{op_type.lower()}")
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        container.add_initializer(constant, TensorProto.DOUBLE, [len(values)], values.tolist())
        result = scope.get_unique_variable_name("scaled")
        container.add_node(
            op_type, [current, constant], [result], name=scope.get_unique_operator_name(op_type)
        )
        current = result
    container.add_node(
        "Cast",
        [current],
        [operator.outputs[0].full_name],
        to=TensorProto.FLOAT,
        name=scope.get_unique_operator_name("Cast"),
    )


def regressor_output_shape(operator) -> None:
    """One float column per row, whatever the number of raw inputs the members read."""
    operator.outputs[0].type = FloatTensorType([operator.inputs[0].get_first_dimension(), 1])


def _member_column(scope, operator, container, estimator, index: int) -> str:
    """Declare ``estimator`` (a pipeline or an estimator) on the ensemble's inputs; its output as ``[N, 1]``."""
    member = scope.declare_local_operator(sklearn_operator_name_map[type(estimator)], estimator)
    member.inputs = operator.inputs
    output = scope.declare_local_variable(f"member_{index}", FloatTensorType())
    member.outputs.append(output)
    shape = scope.get_unique_variable_name("column_shape")
    container.add_initializer(shape, TensorProto.INT64, [2], [-1, 1])
    column = scope.get_unique_variable_name(f"member_{index}_column")
    container.add_node(
        "Reshape", [output.onnx_name, shape], [column], name=scope.get_unique_operator_name("Reshape")
    )
    return column


def ensemble_converter(spec: EnsembleSpec):
    """Weighted sum of the members' predictions or, for a stack, the meta-learner over them."""

    def convert(scope, operator, container) -> None:
        model = operator.raw_operator
        members = spec.members(model)
        columns = [_member_column(scope, operator, container, est, i) for i, (est, _) in enumerate(members)]
        if spec.meta is None:
            terms = []
            for index, (column, (_, weight)) in enumerate(zip(columns, members, strict=True)):
                weight_name = scope.get_unique_variable_name(f"weight_{index}")
                container.add_initializer(weight_name, TensorProto.FLOAT, [1], [float(weight)])
                term = scope.get_unique_variable_name(f"weighted_{index}")
                container.add_node(
                    "Mul", [column, weight_name], [term], name=scope.get_unique_operator_name("Mul")
                )
                terms.append(term)
            container.add_node(
                "Sum", terms, [operator.outputs[0].full_name], name=scope.get_unique_operator_name("Sum")
            )
            return
        stacked = scope.declare_local_variable("stacked", FloatTensorType([None, len(columns)]))
        container.add_node(
            "Concat", columns, [stacked.onnx_name], axis=1, name=scope.get_unique_operator_name("Concat")
        )
        meta = spec.meta(model)
        meta_operator = scope.declare_local_operator(sklearn_operator_name_map[type(meta)], meta)
        meta_operator.inputs.append(stacked)
        prediction = scope.declare_local_variable("meta_prediction", FloatTensorType())
        meta_operator.outputs.append(prediction)
        container.add_node(
            "Identity",
            [prediction.onnx_name],
            [operator.outputs[0].full_name],
            name=scope.get_unique_operator_name("Identity"),
        )

    return convert


def register_lightgbm(booster: type, alias: str, convert=convert_lightgbm) -> None:
    update_registered_converter(
        booster, alias, calculate_linear_regressor_output_shapes, convert, options={"split": None}
    )


def register_imputer(imputer: type, alias: str) -> None:
    update_registered_converter(
        imputer, alias, calculate_sklearn_imputer_output_shapes, convert_string_aware_imputer
    )


def register_regressor(model_type: type, alias: str, convert) -> None:
    """A regressor whose graph ends in one float column, whatever inputs it reads."""
    update_registered_converter(model_type, alias, regressor_output_shape, convert)


def add_converters(installer: Callable[[], None]) -> None:
    """Run ``installer`` (it calls skl2onnx's ``update_registered_converter``) before the next conversion."""
    if installer not in _installers:
        _installers.append(installer)


def register_converters() -> None:
    """Install every registration above and those added with :func:`add_converters` (idempotent)."""
    register_lightgbm(LGBMRegressor, "LightGbmLGBMRegressor")
    register_imputer(SimpleImputer, "SklearnSimpleImputer")
    update_registered_converter(
        KNeighborsRegressor,
        "SklearnKNeighborsRegressor",
        calculate_sklearn_nearest_neighbours_regressor,
        convert_knn_regressor,
        options={"optim": [None, "cdist"]},
    )
    for scaler in (StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler):
        update_registered_converter(
            scaler,
            sklearn_operator_name_map[scaler],
            calculate_sklearn_scaler_output_shapes,
            _convert_double_scaler,
        )
    for spec in ENSEMBLES:
        register_regressor(spec.model_type, spec.alias, ensemble_converter(spec))
    for installer in _installers:
        if installer not in _installed:
            installer()
            _installed.add(installer)
