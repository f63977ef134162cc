"""Probe: the parity gate refuses a graph with one corrupted value, whatever the family and the part.

Issue 13 found corrupted tree graphs passing: the gate counted rows beyond tolerance but not how far
beyond, so a leaf off by millions on a few rows slipped under the 0.5 % share trees may miss. Each
test here corrupts one value of a real exported graph (a leaf, a split threshold, an initializer, a
weight) and scores it through onnxruntime against the native model.
"""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import numpy_helper

from onnx_export import ParityError, check_parity, family_of, to_onnx
from onnx_export.families import TOLERANCES
from onnx_export.parity import compare, onnx_predict

pytestmark = pytest.mark.reliability


def _copy(model: onnx.ModelProto) -> onnx.ModelProto:
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    return copy


def _attribute(model: onnx.ModelProto, op_type: str, name: str):
    node = next(node for node in model.graph.node if node.op_type == op_type)
    return next(a for a in node.attribute if a.name == name)


def _set_attribute(model, op_type, name, index, change) -> onnx.ModelProto:
    corrupted = _copy(model)
    values = _attribute(corrupted, op_type, name).floats
    values[index] = change(values[index])
    return corrupted


def _set_initializer(model, name, index, change) -> onnx.ModelProto:
    corrupted = _copy(model)
    for position, tensor in enumerate(corrupted.graph.initializer):
        if tensor.name == name:
            values = numpy_helper.to_array(tensor).copy()
            flat = values.reshape(-1)
            flat[index] = change(flat[index])
            corrupted.graph.initializer[position].CopyFrom(numpy_helper.from_array(values, name))
            return corrupted
    raise AssertionError(f"no initializer {name}")


def _first_material(model, test_x, candidates):
    """The first corruption of ``candidates`` that moves some prediction of ``test_x`` beyond the
    bound of a tree (1,000 dollars + 5 %): a leaf no row reaches, or a grid change too small to move
    a coordinate of this data, changes nothing any gate could see."""
    clean = onnx_predict(model, test_x)
    bound = TOLERANCES["tree"]
    for corrupted in candidates:
        moved = np.nan_to_num(np.abs(onnx_predict(corrupted, test_x) - clean), nan=np.inf)
        if np.any(moved > bound.bound_abs_dollars + bound.bound_rel * np.abs(clean)):
            return corrupted
    raise AssertionError("no candidate corruption changed a prediction materially")


def _grid(model, test_x):
    # "grid" snaps coordinates (round(x * grid) / grid): only a coarser grid moves this data's points.
    return _first_material(
        model,
        test_x,
        (
            _set_initializer(model, "grid", 0, lambda g, f=factor: g * f)
            for factor in (1.5, 0.1, 0.01, 1e-3, 1e-4)
        ),
    )


@pytest.fixture(scope="module")
def exported(automl_model, fitted_mlp, mlp_onnx):
    """(native model, graph) of one model per family, as the duel exports them."""
    graphs = {"mlp": (fitted_mlp, mlp_onnx)}
    for algorithm in ("DecisionTree", "LightGBM", "KNN", "ElasticNet"):
        model = automl_model(algorithm, "StandardScalerWrapper" if algorithm == "ElasticNet" else None)
        graphs[algorithm] = (model, to_onnx(model))
    return graphs


def _leaf(model, test_x):
    weights = len(_attribute(model, "TreeEnsembleRegressor", "target_weights").floats)
    return _first_material(
        model,
        test_x,
        (
            _set_attribute(model, "TreeEnsembleRegressor", "target_weights", i, lambda w: w + 1.0 + abs(w))
            for i in range(weights)
        ),
    )


def _threshold(model, test_x):
    nodes = len(_attribute(model, "TreeEnsembleRegressor", "nodes_values").floats)
    return _first_material(
        model,
        test_x,
        (
            _set_attribute(
                model, "TreeEnsembleRegressor", "nodes_values", i, lambda t: t - 2.0 * abs(t) - 1.0
            )
            for i in range(nodes)
        ),
    )


CORRUPTIONS = {
    ("DecisionTree", "leaf"): _leaf,
    ("LightGBM", "leaf"): _leaf,
    ("DecisionTree", "threshold"): _threshold,
    ("LightGBM", "threshold"): _threshold,
    ("DecisionTree", "grid initializer"): _grid,
    ("LightGBM", "grid initializer"): _grid,
    ("KNN", "neighbour label"): lambda m, x: _first_material(
        m, x, (_set_initializer(m, "knn_labels", i, lambda v: v * 3.0) for i in range(50))
    ),
    ("KNN", "training point"): lambda m, x: _first_material(
        m, x, (_set_initializer(m, "Sc_Scancst", i * 28, lambda v: v - 100.0) for i in range(50))
    ),
    ("ElasticNet", "weight"): lambda m, x: _set_attribute(
        m, "LinearRegressor", "coefficients", 0, lambda c: c * 1.01
    ),
    ("mlp", "initializer"): lambda m, x: _set_initializer(
        m, next(n for n in m.graph.node if n.op_type == "Gemm").input[2], 0, lambda b: b + 0.5
    ),
}


@pytest.mark.parametrize(
    ("algorithm", "part"), sorted(CORRUPTIONS), ids=[" ".join(k) for k in sorted(CORRUPTIONS)]
)
def test_gate_refuses_a_graph_with_one_corrupted_value(exported, test_x, algorithm, part):
    model, graph = exported[algorithm]
    check_parity(model, graph, test_x)  # the clean graph passes
    corrupted = CORRUPTIONS[algorithm, part](graph, test_x)
    with pytest.raises(ParityError) as refused:
        check_parity(model, corrupted, test_x)
    assert not refused.value.report.passed


@pytest.mark.parametrize("algorithm", ["DecisionTree", "LightGBM"])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_single_leaf_corruption_passes_with_a_row_beyond_the_bound(exported, test_x, algorithm, data):
    # Property: whatever leaf is changed, by whatever amount, a graph the gate passes has no row off
    # by more than the family's bound (computed here from the raw predictions, not from the report).
    model, graph = exported[algorithm]
    weights = _attribute(graph, "TreeEnsembleRegressor", "target_weights").floats
    index = data.draw(st.integers(0, len(weights) - 1), label="leaf")
    value = data.draw(
        st.floats(-1e6, 1e6, allow_nan=False) | st.sampled_from([np.inf, -np.inf, np.nan]), label="value"
    )
    corrupted = _set_attribute(graph, "TreeEnsembleRegressor", "target_weights", index, lambda _: value)
    native = np.asarray(model.predict(test_x), dtype=np.float64)
    exported_predictions = onnx_predict(corrupted, test_x)
    tolerance = TOLERANCES[family_of(model)]
    error = np.abs(exported_predictions - native)
    within_bound = bool(np.all(error <= tolerance.bound_abs_dollars + tolerance.bound_rel * np.abs(native)))
    report = compare(native, exported_predictions, family=family_of(model))
    if report.passed:
        assert within_bound, report.describe()


def test_report_counts_rows_beyond_the_bound_even_when_few():
    native = np.full(1_000, 200_000.0)
    exported_predictions = native.copy()
    exported_predictions[0] += 498_000_000.0
    report = compare(native, exported_predictions, family="tree")
    assert report.share_beyond_tolerance == pytest.approx(0.001)  # under the 0.5 % trees may miss
    assert report.rows_beyond_bound == 1 and not report.passed
    assert "1 row(s) beyond the bound" in report.describe()
