"""The live leaderboard the driver prints, in the SDK's ``show_output`` layout, and its memory."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from emulator.train.automl.metrics import loss

_RULE = "*" * 100
_HEADER = f"""{_RULE}
ITERATION: The iteration being evaluated.
PIPELINE: A summary description of the pipeline being evaluated.
DURATION: Time taken for the current iteration.
METRIC: The result of computing score on the fitted pipeline.
BEST: The best observed score thus far.
{_RULE}

 ITERATION   PIPELINE                                       DURATION            METRIC      BEST"""


@dataclass(frozen=True)
class Entry:
    iteration: int
    name: str
    score: float | None
    seconds: float


class Leaderboard:
    """Scores of finished iterations by the primary metric; prints one line per iteration."""

    def __init__(self, metric: str, min_improvement: float = 1e-4):
        self.metric = metric
        self._min_improvement = min_improvement
        self.entries: list[Entry] = []
        self._best: Entry | None = None
        self._since_improvement = 0

    @property
    def best_loss(self) -> float:
        return loss(self.metric, self._best.score) if self._best else math.inf

    @property
    def best_iteration(self) -> int | None:
        return self._best.iteration if self._best else None

    @property
    def best_name(self) -> str | None:
        return self._best.name if self._best else None

    def add(self, iteration: int, name: str, score: float | None, seconds: float) -> None:
        entry = Entry(iteration, name, score, seconds)
        self.entries.append(entry)
        previous = self.best_loss
        new = loss(self.metric, score) if score is not None else math.inf
        # Only a relative gain above min_improvement resets the early-stopping count.
        significant = (
            new < previous - self._min_improvement * abs(previous)
            if math.isfinite(previous)
            else new < previous
        )
        self._since_improvement = 0 if significant else self._since_improvement + 1
        if new < previous:
            self._best = entry
        self._print(entry)

    def stale(self, window: int) -> bool:
        """True once ``window`` iterations in a row brought no improvement."""
        return self._since_improvement >= window

    def print_header(self) -> None:
        print(_HEADER, flush=True)

    def _print(self, entry: Entry) -> None:
        metric = f"{entry.score:.4f}" if entry.score is not None else "nan"
        best = f"{self._best.score:.4f}" if self._best else "nan"
        duration = str(timedelta(seconds=round(entry.seconds)))
        print(f"{entry.iteration:>10}   {entry.name:<46} {duration:<15} {metric:>10} {best:>9}", flush=True)
