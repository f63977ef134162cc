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
    """LARS-fitted Lasso on a standardized label, so that ``alpha`` means the same on any label scale.

    On a label in dollars a small ``alpha`` leaves nearly collinear features (rotated coordinates)
    unpenalized, and LARS answers with cancelling coefficients in the billions.
    """

    name = "LassoLars"
    relative_cost = 0.2
    scaled = True
    standardize_label = True

    def search_space(self, onnx_compatible):
        return {"alpha": FloatDistribution(1e-5, 1.0, log=True)}

    def defaults(self, onnx_compatible):
        return {"alpha": 1e-3}

    def build(self, params, n_threads, seed):
        return LassoLars(random_state=seed, **params)


class SGDFamily(ModelFamily):
    """Stochastic gradient descent on a standardized label, stopped early on a held-out tenth.

    On a label in dollars the default step sizes diverge (errors in the hundreds of millions);
    on a unit-scale label the same steps and epsilon mean what their defaults assume.
    """

    name = "SGD"
    relative_cost = 0.5
    scaled = True
    standardize_label = True

    def search_space(self, onnx_compatible):
        return {
            "alpha": FloatDistribution(1e-6, 1e-1, log=True),
            "loss": CategoricalDistribution(["squared_error", "huber", "epsilon_insensitive"]),
            "penalty": CategoricalDistribution(["l2", "l1", "elasticnet"]),
            "eta0": FloatDistribution(1e-4, 1e-2, log=True),
        }

    def defaults(self, onnx_compatible):
        return {"alpha": 1e-4, "loss": "squared_error", "penalty": "l2", "eta0": 0.01}

    def build(self, params, n_threads, seed):
        return SGDRegressor(
            max_iter=1000, tol=1e-4, early_stopping=True, n_iter_no_change=5, random_state=seed, **params
        )
