"""Samplers: how a sweep picks hyperparameter values from its search space.

``RandomParameterSampling`` draws every expression independently, ``GridParameterSampling``
enumerates every combination of ``choice`` expressions, and ``BayesianParameterSampling`` proposes
values from the results so far (Optuna's TPE by default). ``properties={"rndseed": N}`` makes
random and Bayesian sweeps reproducible.
"""

from __future__ import annotations

from typing import Any

from emulator.train.hyperdrive import parameter_expressions
from emulator.train.hyperdrive._samplers import _BayesianSampler, _GridSampler, _RandomSampler, _Sampler
from emulator.train.hyperdrive.exceptions import HyperDriveConfigException

__all__ = [
    "HyperParameterSampling",
    "RandomParameterSampling",
    "GridParameterSampling",
    "BayesianParameterSampling",
]

_ALL_DISTRIBUTIONS = tuple(parameter_expressions.__all__)


class HyperParameterSampling:
    """The base of every sampler: a named search space with optional properties."""

    _supported_distributions: tuple[str, ...] = _ALL_DISTRIBUTIONS

    def __init__(self, sampling_method_name: str, parameter_space: dict, properties: dict | None = None):
        if not isinstance(parameter_space, dict) or not parameter_space:
            raise HyperDriveConfigException("Parameter space must be a non-empty dictionary.")
        for expression in parameter_space.values():
            if not isinstance(expression, list) or len(expression) != 2 or not isinstance(expression[0], str):
                raise HyperDriveConfigException(
                    "Parameter space values must be parameter expressions such as choice(1, 2) or uniform(0, 1)."
                )
            if expression[0] not in self._supported_distributions:
                raise HyperDriveConfigException(
                    "This sampling method expects only the following distributions: "
                    f"[{', '.join(self._supported_distributions)}]"
                )
        self._sampling_method_name = sampling_method_name
        self._parameter_space = parameter_space
        self._properties = properties

    def to_json(self) -> dict:
        """The SDK's serialized form: ``{"name": ..., "parameter_space": {...}}`` (plus properties if set)."""
        definition: dict[str, Any] = {
            "name": self._sampling_method_name,
            "parameter_space": self._parameter_space,
        }
        if self._properties:
            definition["properties"] = self._properties
        return definition

    def _seed(self) -> int | None:
        return (self._properties or {}).get("rndseed")

    def _sampler(self, goal: str) -> _Sampler:
        """A fresh strategy for one sweep that aims for ``goal`` ("maximize" or "minimize")."""
        raise NotImplementedError


class RandomParameterSampling(HyperParameterSampling):
    """Random sampling over any parameter expressions."""

    def __init__(self, parameter_space: dict, properties: dict | None = None):
        super().__init__("RANDOM", parameter_space, properties)

    def _sampler(self, goal: str) -> _Sampler:
        return _RandomSampler(self._parameter_space, self._seed())


class GridParameterSampling(HyperParameterSampling):
    """Grid search over ``choice`` expressions: every combination exactly once."""

    _supported_distributions = ("choice",)

    def __init__(self, parameter_space: dict, properties: dict | None = None):
        super().__init__("GRID", parameter_space, properties)

    def _sampler(self, goal: str) -> _Sampler:
        return _GridSampler(self._parameter_space)


class BayesianParameterSampling(HyperParameterSampling):
    """Bayesian optimization over ``choice``, ``uniform`` and ``quniform`` expressions.

    No early-termination policy may be combined with it (refused when the sweep is submitted).
    The emulator proposes values with Optuna's TPE sampler; set the private ``_optimizer`` attribute
    to ``"gp"`` for its Gaussian-process sampler.
    """

    _supported_distributions = ("choice", "quniform", "uniform")
    _optimizer = "tpe"

    def __init__(self, parameter_space: dict, properties: dict | None = None):
        super().__init__("BayesianOptimization", parameter_space, properties)

    def _sampler(self, goal: str) -> _Sampler:
        return _BayesianSampler(self._parameter_space, goal, self._seed(), self._optimizer)
