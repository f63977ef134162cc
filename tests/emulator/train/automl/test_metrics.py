"""The regression metric set against scikit-learn and hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from emulator.train.automl.metrics import SCALAR_METRICS, compute_metrics, fold_metrics


def test_metrics_match_sklearn_and_normalize_by_the_training_label_range():
    y_true = np.array([100.0, 200.0, 300.0, 400.0])
    y_pred = np.array([110.0, 190.0, 330.0, 380.0])
    scores = compute_metrics(y_true, y_pred, y_min=0.0, y_max=1000.0)
    assert set(scores) == set(SCALAR_METRICS)
    # errors 10, 10, 30, 20 -> MAE 17.5, median 15, RMSE sqrt(375)
    assert scores["mean_absolute_error"] == pytest.approx(17.5)
    assert scores["normalized_mean_absolute_error"] == pytest.approx(17.5 / 1000)
    assert scores["normalized_median_absolute_error"] == pytest.approx(15 / 1000)
    assert scores["root_mean_squared_error"] == pytest.approx(math.sqrt(375))
    assert scores["normalized_root_mean_squared_error"] == pytest.approx(math.sqrt(375) / 1000)
    assert scores["r2_score"] == pytest.approx(skm.r2_score(y_true, y_pred))
    assert scores["explained_variance"] == pytest.approx(skm.explained_variance_score(y_true, y_pred))
    assert scores["mean_absolute_percentage_error"] == pytest.approx(100 * np.mean([0.1, 0.05, 0.1, 0.05]))
    assert scores["spearman_correlation"] == pytest.approx(1.0)
    rmsle = math.sqrt(skm.mean_squared_log_error(y_true, y_pred))
    assert scores["normalized_root_mean_squared_log_error"] == pytest.approx(rmsle / math.log1p(1000))


def test_log_error_is_nan_when_values_are_negative():
    scores = compute_metrics([1.0, 2.0, 3.0], [-1.0, 2.0, 3.0], 0.0, 3.0)
    assert math.isnan(scores["root_mean_squared_log_error"])


def test_percentage_error_skips_zero_labels():
    scores = compute_metrics([0.0, 10.0], [5.0, 11.0], 0.0, 10.0)
    assert scores["mean_absolute_percentage_error"] == pytest.approx(10.0)


def test_fold_metrics_average_folds_and_ignore_training_only_rows():
    y = np.array([1.0, 2.0, 3.0, 4.0, 100.0])
    predictions = np.array([2.0, 2.0, 3.0, 7.0, np.nan])
    folds = np.array([0, 0, 1, 1, -1])
    scores = fold_metrics(y, predictions, folds, 0.0, 100.0, names=("mean_absolute_error",))
    assert scores["mean_absolute_error"] == pytest.approx((0.5 + 1.5) / 2)
