"""The label transform: a log or standard scale inside the estimator, predictions in label units."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, SGDRegressor

from emulator.train.automl.pipeline import PipelineSpec
from emulator.train.automl.target import LabelTransformRegressor
from training.schema import LABEL


def test_log_label_is_fitted_on_log1p_and_predicts_in_label_units():
    X = np.arange(1, 21, dtype=float).reshape(-1, 1)
    y = np.expm1(0.3 * X.ravel() + 1.0)
    model = LabelTransformRegressor(LinearRegression(), log=True).fit(X, y)
    # the inner model sees an exactly linear log label
    np.testing.assert_allclose(model.regressor_.coef_, [0.3])
    np.testing.assert_allclose(model.predict(X), y, rtol=1e-9)
    assert clone(model).get_params()["log"] is True


def test_log_label_refuses_values_at_or_below_minus_one():
    with pytest.raises(ValueError, match="above -1"):
        LabelTransformRegressor(LinearRegression(), log=True).fit(np.ones((3, 1)), [1.0, -1.0, 2.0])


def test_standardized_label_is_fitted_on_unit_scale_and_predicts_dollars(small_housing):
    X = small_housing[["median_income", "housing_median_age"]].to_numpy()
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = small_housing[LABEL].to_numpy(float)
    model = LabelTransformRegressor(SGDRegressor(eta0=0.01, random_state=0), standardize=True).fit(X, y)
    assert (model.mean_, model.scale_) == pytest.approx((y.mean(), y.std()))
    # the inner model's intercept is in standard units, its predictions come back in dollars
    assert abs(model.regressor_.intercept_[0]) < 1.0
    assert np.abs(model.predict(X) - y).mean() < 70_000


def test_the_sgd_pipeline_stays_within_the_label_range_on_engineered_features(small_housing):
    from emulator.train.automl.featurization import plan_featurization
    from emulator.train.automl.models import FAMILIES

    features = small_housing.drop(columns=[LABEL])
    X = plan_featurization(features).build().fit_transform(features)
    y = small_housing[LABEL].to_numpy(float)
    for scaler in ("StandardScalerWrapper", "MinMaxScaler", "MaxAbsScaler", "RobustScaler"):
        spec = PipelineSpec("SGD", scaler, FAMILIES["SGD"].defaults(False))
        predicted = spec.build(n_threads=1, seed=0).fit(X, y).predict(X)
        assert np.abs(predicted - y).mean() < 90_000, scaler


def test_lightgbm_learns_a_standard_label_with_huber_at_a_quarter_deviation(small_housing):
    from emulator.train.automl.models import FAMILIES
    from emulator.train.automl.models.boosting import HUBER_ALPHA

    X = small_housing[["median_income", "housing_median_age"]].to_numpy()
    y = small_housing[LABEL].to_numpy(float)
    strong = FAMILIES["LightGBM"].portfolio(True)[2]
    assert strong["objective"] == "huber"
    model = (
        PipelineSpec("LightGBM", None, {**strong, "n_estimators": 20}, log_label=True).build(1, 0).fit(X, y)
    )
    label = model[-1]
    assert label.log and label.standardize and label.scale_ == pytest.approx(np.log1p(y).std())
    assert label.regressor_.get_params()["alpha"] == HUBER_ALPHA == 0.25
