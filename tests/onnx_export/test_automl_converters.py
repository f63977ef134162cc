"""Parity of the converters for AutoML's engineered features and transformed labels."""

from __future__ import annotations

import numpy as np
import pytest

from emulator.train.automl.models import FAMILIES
from emulator.train.automl.pipeline import PipelineSpec, with_featurizer
from onnx_export import check_parity, to_onnx
from onnx_export.parity import onnx_predict


def _fitted(featurizer, train_xy, algorithm: str, scaler: str | None, log_label: bool):
    X, y = train_xy
    spec = PipelineSpec(algorithm, scaler, FAMILIES[algorithm].defaults(True), log_label)
    return with_featurizer(featurizer, spec.build(n_threads=1, seed=0).fit(featurizer.transform(X), y))


@pytest.mark.parametrize(
    ("algorithm", "scaler"),
    [("LightGBM", None), ("ElasticNet", "StandardScalerWrapper"), ("SGD", "RobustScaler")],
)
def test_log_label_pipelines_pass_parity_with_exp_in_the_graph(
    featurizer, train_xy, test_x, algorithm, scaler
):
    model = _fitted(featurizer, train_xy, algorithm, scaler, log_label=True)
    graph = to_onnx(model)
    assert "Exp" in {node.op_type for node in graph.graph.node}
    assert check_parity(model, graph, test_x).passed


def test_zero_denominators_score_like_the_native_model(featurizer, train_xy, test_x):
    # a linear model reads every engineered column with no tolerance for a differing row
    model = _fitted(featurizer, train_xy, "ElasticNet", "StandardScalerWrapper", log_label=False)
    rows = test_x.head(30).copy()
    rows.iloc[::3, rows.columns.get_loc("total_rooms")] = 0
    rows.iloc[1::3, rows.columns.get_loc("households")] = 0
    report = check_parity(model, to_onnx(model), rows)
    assert report.passed and report.max_abs_error < 1.0
    assert np.isfinite(onnx_predict(to_onnx(model), rows)).all()


def test_engineered_features_reach_the_graph(featurizer, train_xy, test_x):
    model = _fitted(featurizer, train_xy, "ElasticNet", "StandardScalerWrapper", log_label=False)
    ops = {node.op_type for node in to_onnx(model).graph.node}
    assert {"Div", "Where", "Log"} <= ops
    # without the engineered columns the coefficients would not line up: prove they matter
    engineered = [
        i for i, n in enumerate(featurizer.get_feature_names_out()) if "rotated" in n or "_per_" in n
    ]
    assert np.abs(model[-1].coef_[engineered]).sum() > 0


def test_automl_lightgbm_takes_every_branch_its_onnx_copy_takes(automl_model, test_x):
    # Float32-exact features and thresholds rounded down to float32: no split flips, so every row
    # matches to float32 rounding of the leaf sum (a flipped split would cost hundreds of dollars).
    model = automl_model("LightGBM", n_estimators=300, num_leaves=127, learning_rate=0.05)
    report = check_parity(model, to_onnx(model), test_x)
    assert report.share_beyond_tolerance == 0.0
    assert report.max_abs_error < 10.0
