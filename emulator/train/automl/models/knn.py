"""Nearest neighbours (the SDK's KNN), on scaled inputs."""

from __future__ import annotations

from optuna.distributions import CategoricalDistribution, IntDistribution
from sklearn.neighbors import KNeighborsRegressor

from emulator.train.automl.models.base import ModelFamily


class KNNFamily(ModelFamily):
    name = "KNN"
    relative_cost = 2.0
    scaled = True

    def search_space(self, onnx_compatible):
        return {
            "n_neighbors": IntDistribution(2, 50, log=True),
            "weights": CategoricalDistribution(["distance", "uniform"]),
            "p": IntDistribution(1, 2),
        }

    def defaults(self, onnx_compatible):
        return {"n_neighbors": 10, "weights": "distance", "p": 2}

    def build(self, params, n_threads, seed):
        return KNeighborsRegressor(n_jobs=n_threads, **params)
