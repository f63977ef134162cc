"""Tree models: DecisionTree, RandomForest and ExtremeRandomTrees.

In ONNX-compatible mode depth and forest size are bounded: a forest of 100 full-depth trees makes
a 79 MB graph that takes half a minute to convert.
"""

from __future__ import annotations

from optuna.distributions import FloatDistribution, IntDistribution
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor
from sklearn.tree import DecisionTreeRegressor

from emulator.train.automl.models.base import ModelFamily

_ONNX_MAX_DEPTH = 14
_ONNX_MAX_TREES = 100
# Unbounded depth, expressed inside an integer range so the search can still move it.
_FULL_DEPTH = 40


def _depth(params: dict) -> int | None:
    depth = params.get("max_depth", _FULL_DEPTH)
    return None if depth >= _FULL_DEPTH else depth


class DecisionTreeFamily(ModelFamily):
    name = "DecisionTree"
    relative_cost = 0.5

    def search_space(self, onnx_compatible):
        return {
            "max_depth": IntDistribution(3, _ONNX_MAX_DEPTH if onnx_compatible else _FULL_DEPTH),
            "min_samples_leaf": IntDistribution(1, 64, log=True),
            "max_features": FloatDistribution(0.3, 1.0),
        }

    def defaults(self, onnx_compatible):
        return {"max_depth": 12, "min_samples_leaf": 8, "max_features": 1.0}

    def build(self, params, n_threads, seed):
        return DecisionTreeRegressor(random_state=seed, **{**params, "max_depth": _depth(params)})


class _ForestFamily(ModelFamily):
    """Bagged trees; the two forests differ only in the estimator class and its cost."""

    estimator = RandomForestRegressor

    def search_space(self, onnx_compatible):
        return {
            "n_estimators": IntDistribution(20, _ONNX_MAX_TREES if onnx_compatible else 300, log=True),
            "max_depth": IntDistribution(6, _ONNX_MAX_DEPTH if onnx_compatible else _FULL_DEPTH),
            "min_samples_leaf": IntDistribution(1, 32, log=True),
            "max_features": FloatDistribution(0.2, 1.0),
        }

    def defaults(self, onnx_compatible):
        depth = _ONNX_MAX_DEPTH if onnx_compatible else _FULL_DEPTH
        return {"n_estimators": 100, "max_depth": depth, "min_samples_leaf": 1, "max_features": 0.5}

    def complexity(self, params):
        return params["n_estimators"] * min(params["max_depth"], 20) * params["max_features"]

    def build(self, params, n_threads, seed):
        return self.estimator(n_jobs=n_threads, random_state=seed, **{**params, "max_depth": _depth(params)})


class RandomForestFamily(_ForestFamily):
    name = "RandomForest"
    relative_cost = 20.0


class ExtremeRandomTreesFamily(_ForestFamily):
    name = "ExtremeRandomTrees"
    relative_cost = 8.0
    estimator = ExtraTreesRegressor
