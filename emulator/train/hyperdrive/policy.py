"""Early-termination policies: which running trials a sweep cancels, and when.

Every value a trial logs for the primary metric is one *interval*. A policy is applied to a trial at
interval N when N is a multiple of ``evaluation_interval`` and N >= ``delay_evaluation``. It then
sees every trial's curve (the values each has logged so far, finished trials included) and decides
with one method, ``_should_cancel``; a "better" value is a larger one for a maximize goal and a
smaller one for a minimize goal.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence

from emulator.train.hyperdrive.exceptions import HyperDriveConfigException

__all__ = [
    "EarlyTerminationPolicy",
    "BanditPolicy",
    "MedianStoppingPolicy",
    "TruncationSelectionPolicy",
    "NoTerminationPolicy",
]

Curves = Mapping[str, Sequence[float]]


def _oriented(values: Sequence[float], goal: str) -> list[float]:
    """Values turned so that larger is always better."""
    sign = 1.0 if goal.lower() == "maximize" else -1.0
    return [sign * v for v in values]


def _best(values: Sequence[float], goal: str) -> float:
    return max(values) if goal.lower() == "maximize" else min(values)


def _int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise HyperDriveConfigException(f"{name} expects an integer value, got {value!r}.")


class EarlyTerminationPolicy:
    """The base of every policy: a name, its properties, and the decision rule."""

    def __init__(self, name: str, properties: dict | None = None):
        self._name = name
        self._properties = properties

    def to_json(self) -> dict:
        """The SDK's serialized form: ``{"name": ..., "properties": {...}}``."""
        definition: dict = {"name": self._name}
        if self._properties:
            definition["properties"] = self._properties
        return definition

    def _due(self, interval: int) -> bool:
        """Whether the policy is applied to a trial that has just reached ``interval``."""
        return False

    def _should_cancel(self, run_id: str, interval: int, curves: Curves, goal: str) -> bool:
        """Whether trial ``run_id``, at ``interval``, is to be cancelled given every trial's curve."""
        return False


class _IntervalPolicy(EarlyTerminationPolicy):
    """A policy applied at multiples of ``evaluation_interval`` from ``delay_evaluation`` on."""

    def __init__(self, name: str, evaluation_interval: int, delay_evaluation: int, **extra: object):
        _int("evaluation_interval", evaluation_interval)
        _int("delay_evaluation", delay_evaluation)
        if evaluation_interval < 1:
            raise HyperDriveConfigException("evaluation_interval expects a positive integer.")
        if delay_evaluation < 0:
            raise HyperDriveConfigException("delay_evaluation expects a non-negative integer.")
        super().__init__(
            name,
            {"evaluation_interval": evaluation_interval, "delay_evaluation": delay_evaluation, **extra},
        )
        self.evaluation_interval = evaluation_interval
        self.delay_evaluation = delay_evaluation

    def _due(self, interval: int) -> bool:
        return (
            interval >= 1 and interval % self.evaluation_interval == 0 and interval >= self.delay_evaluation
        )


class BanditPolicy(_IntervalPolicy):
    """Cancel a trial whose best value so far is not within the slack of the best trial's.

    With ``slack_amount`` the slack is absolute: best 0.8 (maximize) and slack 0.2 cancel trials
    below 0.6. With ``slack_factor`` it is a ratio: a maximize trial is cancelled when its best value
    Y has ``Y * (1 + slack_factor) < best``; a minimize trial when ``Y > best * (1 + slack_factor)``.
    The best trial is taken over every trial's values up to the same interval.
    """

    def __init__(self, evaluation_interval=1, slack_factor=None, slack_amount=None, delay_evaluation=0):
        # The SDK treats a falsy slack_factor (0) as not set.
        if bool(slack_factor) == (slack_amount is not None):
            raise HyperDriveConfigException(
                "Bandit termination policy expects exactly one of slack factor or slack amount to be set."
            )
        for name, value in (("slack_factor", slack_factor), ("slack_amount", slack_amount)):
            if value is None or (name == "slack_factor" and not value):
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise HyperDriveConfigException(f"{name} expects a finite number, got {value!r}.")
            if value < 0:
                raise HyperDriveConfigException(f"{name} expects a non-negative number, got {value!r}.")
        slack = {"slack_factor": slack_factor} if slack_factor else {"slack_amount": slack_amount}
        super().__init__("Bandit", evaluation_interval, delay_evaluation, **slack)
        self.slack_factor = slack_factor
        self.slack_amount = slack_amount

    def _should_cancel(self, run_id, interval, curves, goal):
        mine = _best(curves[run_id][:interval], goal)
        best = _best([_best(c[:interval], goal) for c in curves.values() if c], goal)
        maximize = goal.lower() == "maximize"
        if self.slack_amount is not None:
            return mine < best - self.slack_amount if maximize else mine > best + self.slack_amount
        if maximize:
            return mine * (1 + self.slack_factor) < best
        return mine > best * (1 + self.slack_factor)


class MedianStoppingPolicy(_IntervalPolicy):
    """Cancel a trial whose best value so far is worse than the median of all trials' running averages.

    A trial's running average at interval N is the mean of its values at intervals 1..N (or of all
    its values if it has fewer). A lone trial is never cancelled: its best is never worse than its
    own average.
    """

    def __init__(self, evaluation_interval=1, delay_evaluation=0):
        super().__init__("MedianStopping", evaluation_interval, delay_evaluation)

    def _should_cancel(self, run_id, interval, curves, goal):
        averages = [statistics.fmean(_oriented(c[:interval], goal)) for c in curves.values() if c]
        return max(_oriented(curves[run_id][:interval], goal)) < statistics.median(averages)


class TruncationSelectionPolicy(_IntervalPolicy):
    """Cancel a trial in the worst ``truncation_percentage`` % of trials at the same interval.

    Only trials that have reached interval N take part, each with its best value up to N, so
    young trials are not judged against older trials' later values. With n such trials the worst
    ``floor(n * truncation_percentage / 100)`` are cancelled; ties are resolved in the trial's favour.
    """

    def __init__(self, truncation_percentage, evaluation_interval=1, delay_evaluation=0):
        _int("truncation_percentage", truncation_percentage)
        if not 1 <= truncation_percentage <= 99:
            raise HyperDriveConfigException("truncation_percentage expects value to be between 1 and 99.")
        super().__init__(
            "TruncationSelection",
            evaluation_interval,
            delay_evaluation,
            truncation_percentage=truncation_percentage,
            exclude_finished_jobs=False,
        )
        self.truncation_percentage = truncation_percentage

    def _should_cancel(self, run_id, interval, curves, goal):
        scores = [max(_oriented(c[:interval], goal)) for c in curves.values() if len(c) >= interval]
        mine = max(_oriented(curves[run_id][:interval], goal))
        truncated = len(scores) * self.truncation_percentage // 100
        better = sum(score > mine for score in scores)
        return truncated > 0 and better >= len(scores) - truncated


class NoTerminationPolicy(EarlyTerminationPolicy):
    """Every trial runs to completion."""

    def __init__(self):
        super().__init__("Default")
