"""The algorithm families the emulator trains, keyed by the SDK's regression model names."""

from __future__ import annotations

from emulator.train.automl.models.base import ModelFamily
from emulator.train.automl.models.boosting import GradientBoostingFamily, LightGBMFamily
from emulator.train.automl.models.knn import KNNFamily
from emulator.train.automl.models.linear import ElasticNetFamily, LassoLarsFamily, SGDFamily
from emulator.train.automl.models.trees import (
    DecisionTreeFamily,
    ExtremeRandomTreesFamily,
    RandomForestFamily,
)

#: ``SupportedModels.Regression`` in the SDK.
SDK_REGRESSION_MODELS: tuple[str, ...] = (
    "DecisionTree",
    "ElasticNet",
    "ExtremeRandomTrees",
    "FastLinearRegressor",
    "GradientBoosting",
    "KNN",
    "LassoLars",
    "LightGBM",
    "OnlineGradientDescentRegressor",
    "RandomForest",
    "SGD",
    "TabnetRegressor",
    "TensorFlowDNN",
    "TensorFlowLinearRegressor",
    "XGBoostRegressor",
)

#: The families emulated, in the order their defaults are tried (cheap and strong first).
FAMILIES: dict[str, ModelFamily] = {
    family.name: family
    for family in (
        LightGBMFamily(),
        ElasticNetFamily(),
        ExtremeRandomTreesFamily(),
        DecisionTreeFamily(),
        KNNFamily(),
        LassoLarsFamily(),
        RandomForestFamily(),
        SGDFamily(),
        GradientBoostingFamily(),
    )
}

__all__ = ["FAMILIES", "SDK_REGRESSION_MODELS", "ModelFamily"]
