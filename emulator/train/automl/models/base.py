"""The protocol every algorithm family follows, FLAML's per-estimator idea in one small class each.

A family declares its SDK name, a portfolio of strong starting configurations (the first is the
SDK-like default), an Optuna search space, a relative cost, and whether it wants scaled inputs.
``enable_onnx_compatible_models`` narrows the space so that exported graphs stay small and exact.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from optuna.distributions import BaseDistribution
from sklearn.base import RegressorMixin


class ModelFamily(ABC):
    """One SDK algorithm: how to build it, where to start, and where to search."""

    #: The SDK's model name (``SupportedModels.Regression``).
    name: ClassVar[str]
    #: Seconds of one default fit relative to a default LightGBM fit, before any is measured.
    relative_cost: ClassVar[float] = 1.0
    #: Whether inputs go through a scaler first (linear models and neighbours do; trees do not).
    scaled: ClassVar[bool] = False
    #: Whether the label is standardized inside the estimator (step sizes that assume unit scale).
    standardize_label: ClassVar[bool] = False

    @abstractmethod
    def search_space(self, onnx_compatible: bool) -> dict[str, BaseDistribution]:
        """Optuna distributions of the hyperparameters searched."""

    @abstractmethod
    def build(self, params: dict[str, Any], n_threads: int, seed: int) -> RegressorMixin:
        """An unfitted estimator with ``params`` (a point of the search space)."""

    def portfolio(self, onnx_compatible: bool) -> list[dict[str, Any]]:
        """Configurations tried before the search; each lies inside :meth:`search_space`."""
        return [self.defaults(onnx_compatible)]

    def defaults(self, onnx_compatible: bool) -> dict[str, Any]:
        """The first configuration tried: the middle of each dimension unless overridden."""
        return {name: _middle(dist) for name, dist in self.search_space(onnx_compatible).items()}

    def complexity(self, params: dict[str, Any]) -> float:
        """A number proportional to the fit time of ``params``; the search learns the factor."""
        return 1.0


def _middle(dist: BaseDistribution) -> Any:
    if hasattr(dist, "choices"):
        return dist.choices[0]
    low, high = dist.low, dist.high
    value = (low * high) ** 0.5 if getattr(dist, "log", False) else (low + high) / 2
    return round(value) if isinstance(low, int) and isinstance(high, int) else value
