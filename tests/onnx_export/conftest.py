"""Small fitted models of every family the two emulators produce, on a subset of the housing file.

The test rows carry what scoring must survive: missing ``total_bedrooms`` and a category never seen
in training.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from emulator.train.automl.featurization import plan_featurization
from emulator.train.automl.models import FAMILIES
from emulator.train.automl.pipeline import PipelineSpec, with_featurizer
from onnx_export import to_onnx
from onnx_export.mlp import mlp_to_onnx  # noqa: F401  (registers the MLP exporter)
from tasks.housing_csv import load_housing
from training.mlp import TorchMLPRegressor
from training.schema import CATEGORICAL_COLUMN, FEATURE_COLUMNS, LABEL
from training.split import split_frame

UNKNOWN_CATEGORY = "ON THE MOON"


@pytest.fixture(scope="session")
def housing_split(housing_path) -> tuple[pd.DataFrame, pd.DataFrame]:
    train, test, _ = split_frame(load_housing(housing_path, subset=2_500, seed=3))
    test = test.copy()
    test.iloc[::10, test.columns.get_loc("total_bedrooms")] = np.nan
    test.iloc[5::25, test.columns.get_loc(CATEGORICAL_COLUMN)] = UNKNOWN_CATEGORY
    return train, test


@pytest.fixture(scope="session")
def train_xy(housing_split) -> tuple[pd.DataFrame, pd.Series]:
    train, _ = housing_split
    return train.loc[:, list(FEATURE_COLUMNS)], train[LABEL]


@pytest.fixture(scope="session")
def test_x(housing_split) -> pd.DataFrame:
    return housing_split[1].loc[:, list(FEATURE_COLUMNS)]


@pytest.fixture(scope="session")
def featurizer(train_xy):
    """The AutoML emulator's own featurizer, fitted as it fits it."""
    X, _ = train_xy
    return plan_featurization(X).build().fit(X)


@pytest.fixture(scope="session")
def automl_model(train_xy, featurizer):
    """``automl_model(algorithm, scaler=None, **params)``: a deployable AutoML-style pipeline."""
    X, y = train_xy
    features = featurizer.transform(X)

    def build(algorithm: str, scaler: str | None = None, **params):
        spec = PipelineSpec(algorithm, scaler, {**FAMILIES[algorithm].defaults(True), **params})
        return with_featurizer(featurizer, spec.build(n_threads=1, seed=0).fit(features, y))

    return build


@pytest.fixture(scope="session")
def fitted_mlp(train_xy) -> TorchMLPRegressor:
    X, y = train_xy
    return TorchMLPRegressor(hidden_layers=(32, 16), epochs=4, n_threads=1, device="cpu").fit(X, y)


@pytest.fixture(scope="session")
def mlp_onnx(fitted_mlp):
    return to_onnx(fitted_mlp, metadata={"training_run_id": "HD_1_0", "dataset_version": "1"})
