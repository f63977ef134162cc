"""The strategies behind the samplers: each proposes the next parameter set from past results.

A ``_Sampler`` is made once per sweep. The controller calls ``suggest()`` for each new trial and
``observe(parameters, value)`` when a trial ends (``value`` is its best primary metric, or None if it
logged none); results of earlier sweeps (``resume_from``) are observed before the first suggestion.
"""

from __future__ import annotations

import itertools
import json
from abc import ABC, abstractmethod
from collections import defaultdict
from typing import Any

import numpy as np
import optuna

from emulator.train.hyperdrive._distributions import draw


class _Sampler(ABC):
    """Proposes parameter sets for one sweep."""

    @abstractmethod
    def suggest(self) -> dict[str, Any] | None:
        """The next parameter set, or None when the space is exhausted."""

    def observe(self, parameters: dict[str, Any], value: float | None) -> None:  # noqa: B027
        """Learn the outcome of a finished trial; strategies that do not learn ignore it."""


def _key(parameters: dict[str, Any]) -> str:
    return json.dumps(parameters, sort_keys=True, default=str)


class _RandomSampler(_Sampler):
    """Independent draws from every expression."""

    def __init__(self, space: dict[str, list], seed: int | None):
        self._space = space
        self._rng = np.random.default_rng(seed)

    def suggest(self) -> dict[str, Any]:
        return {name: draw(expression, self._rng) for name, expression in self._space.items()}


class _GridSampler(_Sampler):
    """Every combination of the choices, in the order the space lists them, each once.

    Points observed before they are proposed (trials of a resumed sweep) are skipped.
    """

    def __init__(self, space: dict[str, list]):
        names = list(space)
        self._combinations = (
            dict(zip(names, values, strict=True))
            for values in itertools.product(*(space[name][1][0] for name in names))
        )
        self._done: set[str] = set()

    def suggest(self) -> dict[str, Any] | None:
        for parameters in self._combinations:
            if _key(parameters) not in self._done:
                return parameters
        return None

    def observe(self, parameters: dict[str, Any], value: float | None) -> None:
        self._done.add(_key(parameters))


class _BayesianSampler(_Sampler):
    """Optuna ask/tell over choice, uniform and quniform (the SDK's Bayesian space).

    ``quniform(lo, hi, q)`` becomes an integer ``k`` in ``[round(lo/q), round(hi/q)]`` with value
    ``k * q``, so every proposal lies on the grid the expression defines. Trials that logged no
    metric are told as failed, so the model does not learn from them.
    """

    def __init__(self, space: dict[str, list], goal: str, seed: int | None, optimizer: str = "tpe"):
        self._space = space
        self._distributions = {name: self._distribution(expr) for name, expr in space.items()}
        samplers = {
            "tpe": lambda: optuna.samplers.TPESampler(seed=seed),
            "gp": lambda: optuna.samplers.GPSampler(seed=seed),
        }
        if optimizer not in samplers:
            raise ValueError(f"unknown Bayesian optimizer {optimizer!r}: expected one of {sorted(samplers)}")
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self._study = optuna.create_study(direction=f"{goal.lower()}", sampler=samplers[optimizer]())
        self._pending: dict[str, list[optuna.Trial]] = defaultdict(list)

    @staticmethod
    def _distribution(expression: list) -> optuna.distributions.BaseDistribution:
        name, args = expression
        if name == "choice":
            return optuna.distributions.CategoricalDistribution(args[0])
        if name == "uniform":
            return optuna.distributions.FloatDistribution(args[0], args[1])
        lo, hi, q = args
        return optuna.distributions.IntDistribution(round(lo / q), round(hi / q))

    def _value(self, name: str, internal: Any) -> Any:
        expression_name, args = self._space[name]
        return float(internal * args[2]) if expression_name == "quniform" else internal

    def _internal(self, name: str, value: Any) -> Any:
        expression_name, args = self._space[name]
        return round(value / args[2]) if expression_name == "quniform" else value

    def suggest(self) -> dict[str, Any]:
        trial = self._study.ask(self._distributions)
        parameters = {name: self._value(name, trial.params[name]) for name in self._space}
        self._pending[_key(parameters)].append(trial)
        return parameters

    def observe(self, parameters: dict[str, Any], value: float | None) -> None:
        state = optuna.trial.TrialState.COMPLETE if value is not None else optuna.trial.TrialState.FAIL
        pending = self._pending.get(_key(parameters))
        if pending:
            self._study.tell(pending.pop(0), value, state=state)
            return
        # A result from an earlier sweep (resume_from) becomes a prior. Its space may differ from
        # this one; a point this space cannot hold teaches nothing, so it is skipped.
        if set(self._space) - set(parameters):
            return
        internal = {name: self._internal(name, parameters[name]) for name in self._space}
        try:
            trial = optuna.trial.create_trial(
                params=internal, distributions=self._distributions, value=value, state=state
            )
        except ValueError:
            return
        self._study.add_trial(trial)
