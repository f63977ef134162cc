"""to_onnx: every model family of both emulators becomes one graph that passes the parity gate on
rows with missing values and an unknown category."""

from __future__ import annotations

import json

import numpy as np
import onnxruntime as ort
import pytest
from lightgbm import LGBMRegressor
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor, StackingRegressor, VotingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import ElasticNet, LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeRegressor

from emulator.train.automl.ensemble import StackEnsemble, VotingEnsemble, default_meta_learner
from emulator.train.automl.pipeline import with_featurizer
from onnx_export import check_parity, layout_of, to_onnx
from onnx_export.parity import onnx_predict
from training.mlp import TorchMLPRegressor
from training.onnx_layout import FLOAT_TENSOR, RAW_TO_ONNX, STRING_TENSOR
from training.schema import CATEGORICAL_COLUMN, FEATURE_COLUMNS, NUMERIC_COLUMNS

# Small forests keep conversion fast: a full-size forest is tens of MB of ONNX.
SMALL_FORESTS = {"n_estimators": 10, "max_depth": 8}
# Each AutoML algorithm as the emulator pipelines it: trees unscaled, the others behind their scaler.
AUTOML_CASES = [
    ("LightGBM", None, {}),
    ("GradientBoosting", None, {}),
    ("RandomForest", None, SMALL_FORESTS),
    ("ExtremeRandomTrees", None, SMALL_FORESTS),
    ("DecisionTree", None, {}),
    ("ElasticNet", "StandardScalerWrapper", {}),
    ("LassoLars", "StandardScalerWrapper", {}),
    ("SGD", "StandardScalerWrapper", {}),
    ("KNN", "StandardScalerWrapper", {"weights": "distance", "p": 2}),
    ("KNN", "MinMaxScaler", {"weights": "distance", "p": 1}),
    ("KNN", "RobustScaler", {"weights": "uniform"}),
    ("ElasticNet", "MaxAbsScaler", {}),
]


def _raw_featurizer() -> ColumnTransformer:
    return ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median"), list(NUMERIC_COLUMNS)),
            ("category", OneHotEncoder(handle_unknown="ignore"), [CATEGORICAL_COLUMN]),
        ]
    )


@pytest.mark.parametrize(("algorithm", "scaler", "params"), AUTOML_CASES, ids=lambda v: str(v) if v else "")
def test_every_automl_algorithm_passes_parity_on_missing_values_and_unknown_category(
    automl_model, test_x, algorithm, scaler, params
):
    model = automl_model(algorithm, scaler, **params)
    report = check_parity(model, to_onnx(model), test_x)
    assert report.passed and report.n_rows == len(test_x)


@pytest.mark.parametrize(
    "estimator", [LGBMRegressor(n_estimators=40, verbose=-1), HistGradientBoostingRegressor(max_iter=40)]
)
def test_plain_sklearn_pipelines_with_column_names_pass_parity(train_xy, test_x, estimator):
    X, y = train_xy
    model = Pipeline([("featurize", _raw_featurizer()), ("model", estimator)]).fit(X, y)
    report = check_parity(model, to_onnx(model), test_x)
    # Trees behind imputation only (no scaler) match to cents.
    assert report.max_abs_error < 1.0


@pytest.mark.parametrize("scaler", ["MaxAbsScaler", "StandardScalerWrapper", "MinMaxScaler", "RobustScaler"])
def test_scaled_full_depth_tree_matches_exactly_on_float32_inputs(automl_model, test_x, scaler):
    # A scaler computed in float32 moves values by an ulp and flips deep splits; in double it
    # reproduces scikit-learn, so on values the float32 contract carries exactly, nothing differs.
    model = automl_model("DecisionTree", scaler, max_depth=100, min_samples_leaf=1)
    exact = test_x.astype({column: np.float32 for column in NUMERIC_COLUMNS}).astype(
        {column: np.float64 for column in NUMERIC_COLUMNS}
    )
    assert check_parity(model, to_onnx(model), exact).max_abs_error == 0.0


def _members(automl_model):
    return [
        ("LightGBM", automl_model("LightGBM")[-1]),
        ("ElasticNet", automl_model("ElasticNet", "StandardScalerWrapper")[-1]),
        ("KNN", automl_model("KNN", "StandardScalerWrapper")[-1]),
    ]


def test_automl_voting_ensemble_passes_parity(automl_model, featurizer, test_x):
    ensemble = VotingEnsemble._prefitted(_members(automl_model), [0.6, 0.3, 0.1])
    model = with_featurizer(featurizer, ensemble)
    report = check_parity(model, to_onnx(model), test_x)
    assert report.family == "tree" and report.passed


def test_automl_stack_ensemble_passes_parity(automl_model, featurizer, train_xy, test_x):
    members = _members(automl_model)
    X, y = train_xy
    features = featurizer.transform(X)
    meta = default_meta_learner().fit(np.column_stack([m.predict(features) for _, m in members]), y)
    model = with_featurizer(featurizer, StackEnsemble._prefitted(members, meta))
    report = check_parity(model, to_onnx(model), test_x)
    assert report.passed


@pytest.mark.parametrize("ensemble", ["voting", "stacking"])
def test_sklearn_ensembles_of_whole_pipelines_pass_parity(train_xy, test_x, ensemble):
    X, y = train_xy
    members = [
        (
            "tree",
            Pipeline([("f", _raw_featurizer()), ("m", DecisionTreeRegressor(max_depth=6, random_state=0))]),
        ),
        ("linear", Pipeline([("f", _raw_featurizer()), ("m", ElasticNet())])),
    ]
    if ensemble == "voting":
        model = VotingRegressor(members, weights=[1, 3])
    else:
        model = StackingRegressor(members, final_estimator=LinearRegression(), cv=3)
    model.fit(X, y)
    assert check_parity(model, to_onnx(model), test_x).passed


def test_mlp_graph_holds_preprocessing_and_back_transform(fitted_mlp, mlp_onnx, test_x):
    report = check_parity(fitted_mlp, mlp_onnx, test_x)
    assert report.family == "mlp" and report.max_rel_error < 1e-4
    # One graph: imputation, scaling, one-hot, network and expm1 are all inside.
    op_types = {node.op_type for node in mlp_onnx.graph.node}
    assert {"Imputer", "OneHotEncoder", "Gemm", "Exp"} <= op_types


@pytest.mark.parametrize("neighbours", [False, True])
def test_mlp_with_engineered_features_passes_parity(train_xy, test_x, neighbours):
    X, y = train_xy
    model = TorchMLPRegressor(
        hidden_layers=(16,),
        epochs=2,
        feature_engineering=True,
        neighbours=neighbours,
        n_threads=1,
        device="cpu",
    )
    model.fit(X, y)
    assert check_parity(model, to_onnx(model), test_x).passed


def test_graph_takes_one_column_input_per_raw_column_as_azure_automl_with_a_dynamic_batch(mlp_onnx, test_x):
    session = ort.InferenceSession(mlp_onnx.SerializeToString())
    inputs = {i.name: (i.type, i.shape[1]) for i in session.get_inputs()}
    assert inputs == {
        **{c: ("tensor(float)", 1) for c in NUMERIC_COLUMNS},
        CATEGORICAL_COLUMN: ("tensor(string)", 1),
    }
    layout = layout_of(mlp_onnx)
    assert layout.columns == FEATURE_COLUMNS and layout.batch
    assert {spec.onnx_type for spec in layout.inputs} == {FLOAT_TENSOR, STRING_TENSOR}
    for rows in (1, 7):
        assert session.run(None, layout.feed(test_x.head(rows)))[0].shape == (rows, 1)


def test_graph_metadata_carries_schema_algorithm_run_and_dataset(mlp_onnx):
    metadata = {p.key: p.value for p in mlp_onnx.metadata_props}
    assert metadata["source_algorithm"] == "TorchMLPRegressor"
    assert metadata["training_run_id"] == "HD_1_0" and metadata["dataset_version"] == "1"
    # The input schema is the model_onnx.json document registered beside the graph.
    assert json.loads(metadata["input_schema"]) == layout_of(mlp_onnx).resource()
    assert list(json.loads(metadata["input_schema"])[RAW_TO_ONNX]) == list(FEATURE_COLUMNS)


def test_missing_numeric_and_unknown_category_score_like_the_native_model(automl_model, test_x):
    model = automl_model("ElasticNet", "StandardScalerWrapper")
    rows = test_x.head(3).copy()
    rows["total_bedrooms"] = np.nan
    rows[CATEGORICAL_COLUMN] = "ON THE MOON"
    np.testing.assert_allclose(onnx_predict(to_onnx(model), rows), model.predict(rows), rtol=1e-5)


def test_export_refuses_an_unfitted_model_and_a_non_estimator():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        to_onnx(Pipeline([("f", _raw_featurizer()), ("m", ElasticNet())]))
    with pytest.raises(TypeError, match="cannot export dict"):
        to_onnx({"not": "a model"})
