"""The parity gate: figures, per-family tolerances, and refusing a corrupted graph."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from sklearn.ensemble import VotingRegressor
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.linear_model import ElasticNet
from sklearn.tree import DecisionTreeRegressor

from onnx_export import ParityError, check_parity, family_of, to_onnx
from onnx_export.parity import compare


def _perturbed(model: onnx.ModelProto, initializer: str, factor: float) -> onnx.ModelProto:
    corrupted = onnx.ModelProto()
    corrupted.CopyFrom(model)
    for index, tensor in enumerate(corrupted.graph.initializer):
        if tensor.name == initializer:
            values = numpy_helper.to_array(tensor) * factor
            corrupted.graph.initializer[index].CopyFrom(
                numpy_helper.from_array(values.astype(values.dtype), tensor.name)
            )
            return corrupted
    raise AssertionError(f"no initializer {initializer}")


def _first_layer_bias(model: onnx.ModelProto) -> str:
    gemm = next(node for node in model.graph.node if node.op_type == "Gemm")
    return gemm.input[2]


def test_gate_refuses_an_mlp_graph_with_a_perturbed_initializer(fitted_mlp, mlp_onnx, test_x):
    corrupted = _perturbed(mlp_onnx, _first_layer_bias(mlp_onnx), 1.05)
    with pytest.raises(ParityError) as refused:
        check_parity(fitted_mlp, corrupted, test_x)
    report = refused.value.report
    assert not report.passed and report.share_beyond_tolerance > 0.5
    # The message names the worst rows by the frame's own row labels.
    message = str(refused.value)
    assert "FAILED" in message and "Worst rows" in message
    assert str(report.worst_rows[0].row) in message and report.worst_rows[0].row in set(test_x.index)


def test_gate_refuses_a_linear_graph_with_a_perturbed_coefficient(automl_model, test_x):
    model = automl_model("ElasticNet", "StandardScalerWrapper")
    exported = to_onnx(model)
    linear = next(node for node in exported.graph.node if node.op_type == "LinearRegressor")
    coefficients = next(a for a in linear.attribute if a.name == "coefficients")
    coefficients.floats[0] *= 1.001
    with pytest.raises(ParityError, match="family 'linear'"):
        check_parity(model, exported, test_x)


def test_worst_rows_are_sorted_by_error_and_figures_are_exact():
    native = np.array([100_000.0, 200_000.0, 300_000.0, 50_000.0])
    exported = native + np.array([0.5, -30.0, 2_000.0, 0.0])
    report = compare(native, exported, family="linear", index=["a", "b", "c", "d"])
    assert report.max_abs_error == pytest.approx(2_000.0)
    assert report.max_rel_error == pytest.approx(2_000.0 / 300_000.0)
    # Linear: 1 dollar + 1e-5 x native, so rows b and c are beyond tolerance.
    assert report.share_beyond_tolerance == pytest.approx(0.5)
    assert [w.row for w in report.worst_rows] == ["c", "b", "a", "d"]
    assert not report.passed


def test_tree_family_tolerates_a_few_flipped_splits_but_not_many():
    native = np.full(1_000, 200_000.0)
    few = native.copy()
    few[:3] += 5_000.0
    many = native.copy()
    many[:50] += 5_000.0
    assert compare(native, few, family="tree").passed
    assert not compare(native, many, family="tree").passed


def test_nan_from_the_graph_counts_as_a_mismatch():
    report = compare(np.array([1.0, 2.0]), np.array([1.0, np.nan]), family="mlp")
    assert report.max_abs_error == np.inf and report.share_beyond_tolerance == 0.5


def test_report_as_dict_is_json_ready(automl_model, test_x):
    model = automl_model("DecisionTree")
    figures = check_parity(model, to_onnx(model), test_x).as_dict()
    assert json.loads(json.dumps(figures))["passed"] is True
    assert set(figures) >= {
        "max_abs_error",
        "max_rel_error",
        "share_beyond_tolerance",
        "worst_rows",
        "tolerance",
    }


def test_ensemble_family_is_its_loosest_member(train_xy):
    X, y = train_xy
    numeric = X.select_dtypes("number").fillna(0)
    ensemble = VotingRegressor([("tree", DecisionTreeRegressor(max_depth=2)), ("linear", ElasticNet())]).fit(
        numeric, y
    )
    assert family_of(ensemble) == "tree"


def test_a_model_without_a_tolerance_is_refused_with_its_name():
    with pytest.raises(ValueError, match="GaussianProcessRegressor"):
        family_of(GaussianProcessRegressor())


def test_unknown_family_and_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="unknown model family 'svm'"):
        compare(np.ones(2), np.ones(2), family="svm")
    with pytest.raises(ValueError, match="equal length"):
        compare(np.ones(2), np.ones(3), family="linear")
