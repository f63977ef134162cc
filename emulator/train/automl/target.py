"""A regressor learnt on a transformed label: a log scale, a standard scale, or both.

* ``log=True`` fits ``log1p(y)`` and predicts ``expm1``: on a right-skewed label (prices) errors
  become relative, so cheap and dear rows weigh alike.
* ``standardize=True`` fits ``(y - mean) / std``: step sizes and penalties of gradient-descent
  models (SGD) then mean the same on any label scale, where dollars make them diverge.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted


class LabelTransformRegressor(RegressorMixin, BaseEstimator):
    """``regressor`` fitted on the transformed label; predictions come back in label units."""

    def __init__(self, regressor, *, log=False, standardize=False):
        self.regressor = regressor
        self.log = log
        self.standardize = standardize

    def fit(self, X, y, **fit_params):
        z = np.asarray(y, dtype=np.float64)
        if self.log:
            if np.nanmin(z) <= -1:
                raise ValueError("log=True needs a label above -1 (log1p is undefined below).")
            z = np.log1p(z)
        self.mean_, self.scale_ = (float(z.mean()), float(z.std()) or 1.0) if self.standardize else (0.0, 1.0)
        self.regressor_ = clone(self.regressor).fit(X, (z - self.mean_) / self.scale_, **fit_params)
        if hasattr(self.regressor_, "n_features_in_"):
            self.n_features_in_ = self.regressor_.n_features_in_
        return self

    def predict(self, X):
        check_is_fitted(self, "regressor_")
        z = np.asarray(self.regressor_.predict(X), dtype=np.float64) * self.scale_ + self.mean_
        return np.expm1(z) if self.log else z
