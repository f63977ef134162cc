"""The 15 scikit-learn regressors of the exploration's ``sklearnmodels`` switch, ready to fit on raw rows.

Every entry is a pipeline that takes the raw feature frame (``schema.FEATURE_COLUMNS``) and predicts
dollars: missing values imputed (median), ``ocean_proximity`` one-hot encoded, numeric columns
standardized for the models that are sensitive to scale (linear family, k-NN, SVR, MLP), and the
price learned as ``log1p`` (prices span two orders of magnitude). :func:`fit_and_evaluate` is what a
worker process runs: it imports nothing of Azure ML, so models can be fitted concurrently.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.base import RegressorMixin
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.ensemble import (
    AdaBoostRegressor,
    BaggingRegressor,
    ExtraTreesRegressor,
    GradientBoostingRegressor,
    HistGradientBoostingRegressor,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import ElasticNet, HuberRegressor, Lasso, LinearRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVR
from sklearn.tree import DecisionTreeRegressor

try:
    from training.explore_report import Evaluation, evaluate
    from training.schema import CATEGORICAL_COLUMN, NUMERIC_COLUMNS, OCEAN_CATEGORIES
except ImportError:  # run from inside training/ (an uploaded source directory)
    from explore_report import Evaluation, evaluate
    from schema import CATEGORICAL_COLUMN, NUMERIC_COLUMNS, OCEAN_CATEGORIES

# name -> (estimator factory taking a seed, whether its inputs must be standardized)
_CATALOGUE: dict[str, tuple[Callable[[int], RegressorMixin], bool]] = {
    "linear": (lambda seed: LinearRegression(), True),
    "ridge": (lambda seed: Ridge(alpha=1.0), True),
    "lasso": (lambda seed: Lasso(alpha=1e-3, random_state=seed), True),
    "elasticnet": (lambda seed: ElasticNet(alpha=1e-3, l1_ratio=0.5, random_state=seed), True),
    "huber": (lambda seed: HuberRegressor(max_iter=500), True),
    "knn": (lambda seed: KNeighborsRegressor(n_neighbors=10, weights="distance"), True),
    "svr": (lambda seed: SVR(C=1.0, epsilon=0.05), True),
    "decisiontree": (
        lambda seed: DecisionTreeRegressor(max_depth=12, min_samples_leaf=5, random_state=seed),
        False,
    ),
    "randomforest": (
        lambda seed: RandomForestRegressor(n_estimators=100, min_samples_leaf=2, n_jobs=1, random_state=seed),
        False,
    ),
    "extratrees": (
        lambda seed: ExtraTreesRegressor(n_estimators=100, min_samples_leaf=2, n_jobs=1, random_state=seed),
        False,
    ),
    "gradientboosting": (
        lambda seed: GradientBoostingRegressor(n_estimators=200, max_depth=4, random_state=seed),
        False,
    ),
    "histgradientboosting": (
        lambda seed: HistGradientBoostingRegressor(max_iter=200, random_state=seed),
        False,
    ),
    "adaboost": (
        lambda seed: AdaBoostRegressor(
            DecisionTreeRegressor(max_depth=6), n_estimators=50, random_state=seed
        ),
        False,
    ),
    "bagging": (
        lambda seed: BaggingRegressor(DecisionTreeRegressor(), n_estimators=30, n_jobs=1, random_state=seed),
        False,
    ),
    "mlp": (
        lambda seed: MLPRegressor(
            hidden_layer_sizes=(64, 32), max_iter=300, early_stopping=True, random_state=seed
        ),
        True,
    ),
}
MODEL_NAMES: tuple[str, ...] = tuple(_CATALOGUE)


def build(name: str, seed: int = 42) -> Pipeline:
    """The unfitted pipeline of model ``name`` (one of :data:`MODEL_NAMES`)."""
    if name not in _CATALOGUE:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}")
    factory, scaled = _CATALOGUE[name]
    numeric = make_pipeline(SimpleImputer(strategy="median"), *([StandardScaler()] if scaled else []))
    encode = OneHotEncoder(categories=[list(OCEAN_CATEGORIES)], handle_unknown="ignore", sparse_output=False)
    features = ColumnTransformer(
        [("numeric", numeric, list(NUMERIC_COLUMNS)), ("category", encode, [CATEGORICAL_COLUMN])],
        sparse_threshold=0.0,
    )
    model = TransformedTargetRegressor(factory(seed), func=np.log1p, inverse_func=np.expm1)
    return Pipeline([("features", features), ("model", model)])


def fit_and_evaluate(
    name: str,
    X_train: pd.DataFrame,
    y_train: pd.Series,
    X_test: pd.DataFrame,
    y_test: pd.Series,
    seed: int = 42,
) -> tuple[str, Pipeline, Evaluation]:
    """Fit model ``name`` and judge it on the test rows (images rendered here, so workers share the work)."""
    started = time.perf_counter()
    pipeline = build(name, seed).fit(X_train, y_train)
    seconds = time.perf_counter() - started
    return name, pipeline, evaluate(X_test, y_test, pipeline.predict(X_test), seconds)
