"""The SDK's regression metric set, its goals, and the residuals / predicted-true artifacts.

Normalized metrics divide by the range of the training label (``y_max - y_min``), as the SDK does;
the log error is normalized by ``log1p(y_max) - log1p(y_min)``. Log errors are NaN when any value
is negative. The percentage error skips rows whose true value is zero and is reported in percent.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import spearmanr
from sklearn import metrics as skm

EXPLAINED_VARIANCE = "explained_variance"
MAE = "mean_absolute_error"
MEDIAN_AE = "median_absolute_error"
MAPE = "mean_absolute_percentage_error"
R2 = "r2_score"
RMSE = "root_mean_squared_error"
RMSLE = "root_mean_squared_log_error"
SPEARMAN = "spearman_correlation"
NORM_MAE = "normalized_mean_absolute_error"
NORM_MEDIAN_AE = "normalized_median_absolute_error"
NORM_RMSE = "normalized_root_mean_squared_error"
NORM_RMSLE = "normalized_root_mean_squared_log_error"
RESIDUALS = "residuals"
PREDICTED_TRUE = "predicted_true"

SCALAR_METRICS: tuple[str, ...] = (
    EXPLAINED_VARIANCE,
    MAE,
    MAPE,
    MEDIAN_AE,
    NORM_MAE,
    NORM_MEDIAN_AE,
    NORM_RMSE,
    NORM_RMSLE,
    R2,
    RMSE,
    RMSLE,
    SPEARMAN,
)
PRIMARY_METRICS: tuple[str, ...] = (SPEARMAN, NORM_RMSE, R2, NORM_MAE)
_MAXIMIZED = frozenset({EXPLAINED_VARIANCE, R2, SPEARMAN})
_HISTOGRAM_BINS = 10


def is_maximized(metric: str) -> bool:
    """Whether a larger value of ``metric`` is better."""
    return metric in _MAXIMIZED


def loss(metric: str, value: float) -> float:
    """``value`` turned into a loss (smaller is better); NaN counts as the worst loss."""
    if value is None or math.isnan(value):
        return math.inf
    return -value if is_maximized(metric) else value


def _rmsle(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    if (y_true < 0).any() or (y_pred < 0).any():
        return math.nan
    return math.sqrt(skm.mean_squared_log_error(y_true, y_pred))


def _mape(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    nonzero = y_true != 0
    if not nonzero.any():
        return math.nan
    return float(np.mean(np.abs((y_true[nonzero] - y_pred[nonzero]) / y_true[nonzero])) * 100.0)


def _spearman(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    if np.ptp(y_true) == 0 or np.ptp(y_pred) == 0:
        return math.nan
    return float(spearmanr(y_true, y_pred).statistic)


def _metric_functions(span: float, log_span: float) -> dict:
    return {
        EXPLAINED_VARIANCE: skm.explained_variance_score,
        MAE: skm.mean_absolute_error,
        MAPE: _mape,
        MEDIAN_AE: skm.median_absolute_error,
        NORM_MAE: lambda t, p: skm.mean_absolute_error(t, p) / span,
        NORM_MEDIAN_AE: lambda t, p: skm.median_absolute_error(t, p) / span,
        NORM_RMSE: lambda t, p: math.sqrt(skm.mean_squared_error(t, p)) / span,
        NORM_RMSLE: lambda t, p: _rmsle(t, p) / log_span,
        R2: skm.r2_score,
        RMSE: lambda t, p: math.sqrt(skm.mean_squared_error(t, p)),
        RMSLE: _rmsle,
        SPEARMAN: _spearman,
    }


def compute_metrics(y_true, y_pred, y_min: float, y_max: float, names=SCALAR_METRICS) -> dict[str, float]:
    """The metrics ``names`` (default: all of :data:`SCALAR_METRICS`) for one set of predictions.

    ``y_min`` / ``y_max`` are the training label's range; a zero range leaves the normalized
    metrics un-normalized rather than dividing by zero.
    """
    y_true = np.asarray(y_true, dtype=float).ravel()
    y_pred = np.asarray(y_pred, dtype=float).ravel()
    span = (y_max - y_min) or 1.0
    log_span = ((math.log1p(y_max) - math.log1p(y_min)) or 1.0) if y_min >= 0 else math.nan
    functions = _metric_functions(span, log_span)
    return {name: float(functions[name](y_true, y_pred)) for name in names}


def fold_metrics(y, predictions, folds, y_min: float, y_max: float, names=SCALAR_METRICS) -> dict[str, float]:
    """Metrics averaged over validation folds (fold id ``-1`` marks rows that never validate)."""
    per_fold = [
        compute_metrics(y[folds == fold], predictions[folds == fold], y_min, y_max, names)
        for fold in np.unique(folds[folds >= 0])
    ]
    return {name: float(np.mean([m[name] for m in per_fold])) for name in names}


def residuals_artifact(y_true, y_pred) -> dict:
    """The SDK's ``residuals`` histogram (schema_type ``residuals``)."""
    residuals = np.asarray(y_true, dtype=float).ravel() - np.asarray(y_pred, dtype=float).ravel()
    counts, edges = np.histogram(residuals, bins=_HISTOGRAM_BINS)
    return {
        "schema_type": "residuals",
        "schema_version": "1.0.0",
        "data": {
            "bin_edges": edges.tolist(),
            "bin_counts": counts.tolist(),
            "mean": float(residuals.mean()),
            "stddev": float(residuals.std()),
            "res_count": int(residuals.size),
        },
    }


def predicted_true_artifact(y_true, y_pred) -> dict:
    """The SDK's ``predicted_true`` table: mean and spread of predictions per bin of true values."""
    y_true = np.asarray(y_true, dtype=float).ravel()
    y_pred = np.asarray(y_pred, dtype=float).ravel()
    edges = np.histogram_bin_edges(y_true, bins=_HISTOGRAM_BINS)
    bins = np.clip(np.digitize(y_true, edges[1:-1]), 0, _HISTOGRAM_BINS - 1)
    counts = np.bincount(bins, minlength=_HISTOGRAM_BINS)
    averages, errors = [], []
    for b in range(_HISTOGRAM_BINS):
        members = y_pred[bins == b]
        averages.append(float(members.mean()) if members.size else 0.0)
        errors.append(float(members.std()) if members.size else 0.0)
    return {
        "schema_type": "predictions",
        "schema_version": "1.0.0",
        "data": {
            "bin_averages": averages,
            "bin_errors": errors,
            "bin_counts": counts.tolist(),
            "bin_edges": edges.tolist(),
        },
    }
