"""The experiment's time budget: one deadline for the whole job, ensembles and explanation included.

``experiment_timeout_*`` is a promise to the user and to the bill, so the deadline counts from the
parent run's creation (the submission): featurization, the search, the ensembles, the explanation
and the final bookkeeping all fit inside it. The search stops early enough to leave a reserve for
the closing steps; those run under a hard time limit (a timer signal in the driver's main thread)
and are skipped, never overrun, when the time is gone.
"""

from __future__ import annotations

import math
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# Time kept back from the search for recording its last iterations, the ensembles and the
# explanation: this share of the budget, at least _RESERVE_MIN and at most _RESERVE_MAX seconds
# (never more than half the budget); and time kept back from the closing steps for ending the run.
_RESERVE_SHARE, _RESERVE_MIN, _RESERVE_MAX = 0.1, 5.0, 30.0
_FINISH_SECONDS = 2.0


class OutOfTime(Exception):
    """The experiment's deadline arrived during a step that runs under :func:`time_limit`."""


@dataclass(frozen=True)
class Budget:
    """How many search iterations may start, and until when (``time.monotonic`` instants)."""

    iterations: int
    search_deadline: float
    deadline: float

    @classmethod
    def of(cls, iterations: int, timeout_hours: float | None, created: float) -> Budget:
        """The budget of an experiment created at wall-clock time ``created`` (the run's record)."""
        if timeout_hours is None:
            return cls(iterations, math.inf, math.inf)
        total = timeout_hours * 3600
        deadline = time.monotonic() + (created + total - time.time())
        reserve = min(max(_RESERVE_SHARE * total, _RESERVE_MIN), _RESERVE_MAX, total / 2)
        return cls(iterations, deadline - reserve, deadline)

    def search_seconds_left(self) -> float:
        return self.search_deadline - time.monotonic()

    def seconds_left(self) -> float:
        """Seconds to the experiment's deadline itself (the search's reserve included)."""
        return self.deadline - time.monotonic()

    def closing_seconds_left(self) -> float:
        """Seconds the closing steps (ensembles, explanation) may still take."""
        return self.deadline - _FINISH_SECONDS - time.monotonic()


class _Deferral:
    """Whether the deadline is held back (a recording is under way) and whether it struck meanwhile."""

    holding = False
    struck = False


def _raise_out_of_time(signum, frame) -> None:
    if _Deferral.holding:
        _Deferral.struck = True
        return
    raise OutOfTime


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold the time limit back while the block runs (a store write must not be cut in two); a
    deadline that passed meanwhile strikes as the block ends."""
    _Deferral.holding, _Deferral.struck = True, False
    try:
        yield
    finally:
        _Deferral.holding = False
    if _Deferral.struck:
        raise OutOfTime


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`OutOfTime` in the block once ``seconds`` have passed (main thread only)."""
    if math.isinf(seconds):
        yield
        return
    if seconds <= 0:
        raise OutOfTime
    previous = signal.signal(signal.SIGALRM, _raise_out_of_time)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def consume_until(seconds: float, results: Iterator, record: Callable[[Any], None]) -> tuple[int, bool]:
    """``record`` each result the generator ``results`` yields within ``seconds`` (a recording is
    never cut short); returns how many were recorded and whether the generator ran to its end."""
    recorded = 0
    try:
        with time_limit(seconds):
            for result in results:
                with uninterrupted():
                    record(result)
                    recorded += 1
    except OutOfTime:
        return recorded, False
    return recorded, True
