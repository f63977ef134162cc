"""Linear models: ElasticNet, LassoLars and SGD, all on scaled inputs."""

from __future__ import annotations

from optuna.distributions import CategoricalDistribution, FloatDistribution
from sklearn.linear_model import ElasticNet, LassoLars, SGDRegressor

from emulator.train.automl.models.base import ModelFamily


class ElasticNetFamily(ModelFamily):
    name = "ElasticNet"
    relative_cost = 0.3
    scaled = True

    def search_space(self, onnx_compatible):
        return {
            "alpha": FloatDistribution(1e-4, 10.0, log=True),
            "l1_ratio": FloatDistribution(0.0, 1.0),
        }

    def defaults(self, onnx_compatible):
        return {"alpha": 1e-3, "l1_ratio": 0.5}

    def build(self, params, n_threads, seed):
        return ElasticNet(max_iter=5000, random_state=seed, **params)


class LassoLarsFamily(ModelFamily):
    name = "LassoLars"
    relative_cost = 0.2
    scaled = True

    def search_space(self, onnx_compatible):
        return {"alpha": FloatDistribution(1e-5, 1.0, log=True)}

    def defaults(self, onnx_compatible):
        return {"alpha": 1e-3}

    def build(self, params, n_threads, seed):
        return LassoLars(random_state=seed, **params)


class SGDFamily(ModelFamily):
    name = "SGD"
    relative_cost = 0.5
    scaled = True

    def search_space(self, onnx_compatible):
        return {
            "alpha": FloatDistribution(1e-6, 1e-1, log=True),
            "loss": CategoricalDistribution(["squared_error", "huber", "epsilon_insensitive"]),
            "penalty": CategoricalDistribution(["l2", "l1", "elasticnet"]),
            "eta0": FloatDistribution(1e-4, 0.1, log=True),
        }

    def defaults(self, onnx_compatible):
        return {"alpha": 1e-4, "loss": "squared_error", "penalty": "l2", "eta0": 0.01}

    def build(self, params, n_threads, seed):
        # Losses other than squared error read epsilon in label units; dollars need a wide one.
        return SGDRegressor(max_iter=2000, tol=1e-4, epsilon=1e4, random_state=seed, **params)
