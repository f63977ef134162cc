"""The search: strong defaults first, then a cost-aware Optuna search of the promising algorithms.

Phase one tries each allowed algorithm's default, interleaved with the extra portfolio
configurations of the strongest family (LightGBM), so even a one-minute budget ends with a good
model and a loss for every algorithm. Phase two repeatedly picks an algorithm, weighing how close
its best loss is to the leader's against how long its fits take (FLAML's cost-aware idea), and asks
that algorithm's own TPE study for the next configuration. A configuration whose fit time,
predicted from the family's measured seconds per unit of :meth:`ModelFamily.complexity` (before the
family's first fit, from the other families' first fits and :attr:`ModelFamily.relative_cost`),
would not fit in the time left is pruned before it is ever launched: on a busy machine a default
forest ran for two minutes and was killed at the deadline, its core's time lost.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution
from optuna.trial import TrialState

from emulator.train.automl.models import FAMILIES
from emulator.train.automl.models.scalers import DEFAULT_SCALER, SCALERS, TREE_SCALER
from emulator.train.automl.pipeline import PipelineSpec

optuna.logging.set_verbosity(optuna.logging.WARNING)

# A family this much worse (relative loss gap) than the leader is tried ten times less often.
_GAP_SCALE = 0.02
# Families further behind than this are not searched at all once phase one is over.
_MAX_GAP = 0.35
_RESAMPLES = 16
# Every other slot of phase one goes to an extra portfolio configuration: the strong LightGBMs
# start while the budget is young, and the other families' defaults fill the slots between.
_PORTFOLIO_EVERY = 2


@dataclass
class _FamilyState:
    study: optuna.Study
    losses: list[float] = field(default_factory=list)
    seconds_per_unit: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.losses, default=math.inf)


class CostAwareSearch:
    """Proposes pipelines for ``algorithms`` and learns from their losses and fit times."""

    def __init__(self, algorithms: list[str], onnx_compatible: bool, seed: int, log_label: bool = False):
        self._onnx = onnx_compatible
        self._log_label = log_label
        self._rng = np.random.default_rng(seed)
        self._states = {
            name: _FamilyState(
                optuna.create_study(
                    sampler=optuna.samplers.TPESampler(
                        seed=seed, multivariate=True, constant_liar=True, n_startup_trials=4
                    )
                )
            )
            for name in algorithms
        }
        self._trials: dict[int, tuple[str, optuna.trial.Trial]] = {}
        self._queue = self._phase_one(algorithms)

    def _space(self, name: str) -> dict:
        family = FAMILIES[name]
        space = dict(family.search_space(self._onnx))
        if family.scaled:
            space["scaler"] = CategoricalDistribution(list(SCALERS))
        return space

    def _phase_one(self, algorithms: list[str]) -> list[tuple[str, dict]]:
        defaults, extras = [], []
        for name in algorithms:
            family = FAMILIES[name]
            scaler = {"scaler": DEFAULT_SCALER} if family.scaled else {}
            first, *rest = family.portfolio(self._onnx)
            defaults.append((name, {**first, **scaler}))
            extras.extend((name, {**p, **scaler}) for p in rest)
        queue = []
        while defaults or extras:
            take_extra = extras and (not defaults or len(queue) % _PORTFOLIO_EVERY == 1)
            queue.append((extras if take_extra else defaults).pop(0))
        return queue

    def _spec(self, name: str, params: dict) -> PipelineSpec:
        params = dict(params)
        scaler = (
            params.pop("scaler", None) if FAMILIES[name].scaled else (None if self._onnx else TREE_SCALER)
        )
        return PipelineSpec(name, scaler, params, self._log_label)

    def _predicted_seconds(self, name: str, params: dict) -> float:
        state = self._states[name]
        if state.seconds_per_unit:
            return statistics.median(state.seconds_per_unit) * FAMILIES[name].complexity(params)
        # Never fitted: a default LightGBM's time, as the measured families' first fits put it, times
        # this family's relative cost.
        lightgbm_default = [
            s.seconds[0] / FAMILIES[n].relative_cost for n, s in self._states.items() if s.seconds
        ]
        if not lightgbm_default:
            return 0.0
        return statistics.median(lightgbm_default) * FAMILIES[name].relative_cost

    def _pick_family(self) -> str | None:
        leader = min(s.best for s in self._states.values())
        scale = max(abs(leader), 1e-12)
        weights = {}
        for name, state in self._states.items():
            gap = (state.best - leader) / scale
            if not state.losses or gap > _MAX_GAP:
                continue
            cost = statistics.mean(state.seconds) if state.seconds else 1.0
            weights[name] = math.exp(-gap / _GAP_SCALE) / math.sqrt(max(cost, 1e-3))
        if not weights:
            return None
        names = list(weights)
        p = np.array([weights[n] for n in names])
        return names[self._rng.choice(len(names), p=p / p.sum())]

    def propose(self, iteration: int, seconds_left: float) -> PipelineSpec | None:
        """The next pipeline, or None when nothing left fits in ``seconds_left``."""
        while self._queue:
            name, params = self._queue.pop(0)
            if self._predicted_seconds(name, params) <= seconds_left:
                study = self._states[name].study
                study.enqueue_trial(params, skip_if_exists=False)
                return self._ask(iteration, name)
        name = self._pick_family()
        if name is None:
            return None
        for _ in range(_RESAMPLES):
            spec = self._ask(iteration, name)
            if self._predicted_seconds(name, spec.params) <= seconds_left:
                return spec
            self._states[name].study.tell(self._trials.pop(iteration)[1], state=TrialState.PRUNED)
        return None

    def _ask(self, iteration: int, name: str) -> PipelineSpec:
        trial = self._states[name].study.ask(self._space(name))
        self._trials[iteration] = (name, trial)
        return self._spec(name, trial.params)

    def report(self, iteration: int, loss: float | None, seconds: float) -> None:
        """The outcome of ``iteration``: its loss (None when it failed or timed out) and fit time."""
        name, trial = self._trials.pop(iteration)
        state = self._states[name]
        state.seconds.append(seconds)
        state.seconds_per_unit.append(seconds / FAMILIES[name].complexity(trial.params))
        if loss is None or not math.isfinite(loss):
            state.study.tell(trial, state=TrialState.FAIL)
            return
        state.losses.append(loss)
        state.study.tell(trial, loss)
