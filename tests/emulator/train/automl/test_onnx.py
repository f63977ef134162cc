"""The emulator's own converters: LightGBM's graph takes the native model's branches, and engineered
features come out of the graph bit for bit as the featurizer computes them."""

from __future__ import annotations

import numpy as np
import onnxruntime
import pytest
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType

import emulator.train.automl._onnx  # noqa: F401 - registers the emulator's converters
from emulator.train.automl.featurization import plan_featurization
from emulator.train.automl.models.boosting import Float32LGBMRegressor
from onnx_export._converters import register_converters
from onnx_export._lightgbm import floor32, tree_ensemble_attributes
from training.schema import LABEL


def _graph(estimator, n_columns: int):
    register_converters()
    return convert_sklearn(
        estimator,
        initial_types=[("X", FloatTensorType([None, n_columns]))],
        target_opset={"": 17, "ai.onnx.ml": 3},
    )


def _graph_outputs(estimator, X: np.ndarray) -> np.ndarray:
    graph = _graph(estimator, X.shape[1])
    session = onnxruntime.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"X": X.astype(np.float32)})[0]


def _graph_predictions(model, X: np.ndarray) -> np.ndarray:
    return _graph_outputs(model, X).ravel()


def test_the_graph_predicts_what_lightgbm_predicts_on_float32_features():
    rng = np.random.default_rng(0)
    # float32-exact features, as AutoML's featurizer hands them over, with many tied values
    X = np.round(rng.normal(size=(3000, 6)), 2).astype(np.float32).astype(np.float64)
    y = X[:, 0] * 3 + np.sin(X[:, 1] * 4) + rng.normal(scale=0.1, size=len(X))
    model = Float32LGBMRegressor(
        n_estimators=200, num_leaves=31, objective="huber", alpha=0.3, verbose=-1, n_jobs=1
    ).fit(X, y)
    np.testing.assert_allclose(_graph_predictions(model, X), model.predict(X), atol=1e-4)


def test_a_single_leaf_tree_becomes_one_leaf_node():
    X = np.zeros((50, 2))
    model = Float32LGBMRegressor(n_estimators=2, verbose=-1).fit(X, np.full(50, 7.0))
    attributes = tree_ensemble_attributes(model.booster_.model_to_string())
    assert set(attributes["nodes_modes"]) == {"LEAF"}
    np.testing.assert_allclose(_graph_predictions(model, X[:3]), [7.0] * 3)


def test_thresholds_round_down_to_float32():
    values = np.array([0.1, 0.5, -0.1, 1e-40])
    lowered = floor32(values)
    assert lowered.dtype == np.float32
    assert np.all(lowered.astype(np.float64) <= values)
    assert np.all(np.nextafter(lowered, np.float32(np.inf)).astype(np.float64) > values)


def test_categorical_splits_are_refused_not_approximated():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.integers(0, 5, 500), rng.normal(size=500)])
    y = X[:, 0] * 2.0 + rng.normal(scale=0.1, size=500)
    model = Float32LGBMRegressor(n_estimators=5, verbose=-1, min_child_samples=5).fit(
        X, y, categorical_feature=[0]
    )
    with pytest.raises(NotImplementedError, match="categorical"):
        tree_ensemble_attributes(model.booster_.model_to_string())


def test_cluster_distances_in_the_graph_equal_the_native_ones_bit_for_bit(small_housing):
    features = small_housing.drop(columns=[LABEL])
    featurizer = plan_featurization(features, label=small_housing[LABEL]).build().fit(features)
    name, derived, sources = featurizer.transformers_[-1]
    assert name == "derived" and derived["features"].clusters is not None
    # what the derived part receives: imputed sources, float32 as the ONNX contract delivers them
    rows = derived["imputer"].transform(features[sources]).astype(np.float32)
    in_graph = _graph_outputs(derived["features"], rows)
    assert "Sqrt" in {node.op_type for node in _graph(derived["features"], rows.shape[1]).graph.node}
    # a tree threshold between two neighbouring float32 values must see every row on the same side
    np.testing.assert_array_equal(in_graph, derived["features"].transform(rows.astype(np.float64)))
