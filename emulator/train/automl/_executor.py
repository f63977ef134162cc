"""Iterations as real processes: start up to N at once, collect results, kill on timeout.

Each iteration is a process of its own (forked from a fork server that has already imported the
heavy libraries, so a start costs milliseconds), which is what lets an iteration timeout or a
cancellation stop the work for real rather than abandon a thread.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
import warnings
from dataclasses import dataclass
from multiprocessing.connection import wait

from emulator.train.automl._worker import IterationResult, IterationTask, run_iteration

_PRELOAD = [
    "numpy",
    "pandas",
    "sklearn.ensemble",
    "sklearn.linear_model",
    "lightgbm",
    "emulator.train.automl._worker",
]
_EXIT_GRACE_SECONDS = 1.0


def _child(task: IterationTask, conn) -> None:
    # Convergence and similar warnings of one candidate would flood the driver log.
    warnings.simplefilter("ignore")
    try:
        conn.send(run_iteration(task))
    except BaseException as error:  # noqa: BLE001 - every failure must reach the controller as data
        conn.send(f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
    finally:
        conn.close()


@dataclass
class Finished:
    """An iteration that ended: a result, or an error message (``timed_out`` when it was killed)."""

    task: IterationTask
    result: IterationResult | None
    error: str | None
    seconds: float
    timed_out: bool = False


@dataclass
class _Active:
    task: IterationTask
    process: multiprocessing.Process
    conn: object
    started: float
    deadline: float


class IterationPool:
    """At most ``concurrency`` iteration processes at a time."""

    def __init__(self, concurrency: int):
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        self._concurrency = concurrency
        self._active: list[_Active] = []

    @property
    def free(self) -> int:
        return self._concurrency - len(self._active)

    @property
    def running(self) -> list[IterationTask]:
        return [a.task for a in self._active]

    def start(self, task: IterationTask, timeout: float | None) -> None:
        """Start ``task``; it is killed after ``timeout`` seconds (None: no limit)."""
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(target=_child, args=(task, sender), daemon=True)
        process.start()
        sender.close()
        now = time.monotonic()
        deadline = now + timeout if timeout is not None else float("inf")
        self._active.append(_Active(task, process, receiver, now, deadline))

    def wait(self, seconds: float) -> list[Finished]:
        """Block up to ``seconds`` (less when a deadline is nearer); return what finished or timed out."""
        if not self._active:
            return []
        nearest = min(a.deadline for a in self._active) - time.monotonic()
        wait([a.conn for a in self._active], timeout=max(0.0, min(seconds, nearest)))
        finished = []
        for active in list(self._active):
            done = self._collect(active)
            if done is not None:
                self._active.remove(active)
                finished.append(done)
        return finished

    def _collect(self, active: _Active) -> Finished | None:
        elapsed = time.monotonic() - active.started
        if active.conn.poll():
            try:
                payload = active.conn.recv()
            except EOFError:
                payload = (
                    f"The iteration process exited with code {active.process.exitcode} without a result."
                )
            # The result is in hand: a process slow to tear down (on a loaded machine) must not hold
            # the search past its deadline.
            active.process.join(_EXIT_GRACE_SECONDS)
            if active.process.is_alive():
                active.process.kill()
                active.process.join()
            active.conn.close()
            if isinstance(payload, IterationResult):
                return Finished(active.task, payload, None, elapsed)
            return Finished(active.task, None, payload, elapsed)
        if time.monotonic() >= active.deadline:
            self._kill(active)
            return Finished(active.task, None, "Iteration timeout reached.", elapsed, timed_out=True)
        return None

    def _kill(self, active: _Active) -> None:
        active.process.kill()
        active.process.join()
        active.conn.close()

    def stop(
        self, iterations: set[int] | None = None, reason: str = "Stopped by the experiment."
    ) -> list[Finished]:
        """Kill the running ``iterations`` (all by default): experiment timeout, cancellation."""
        now = time.monotonic()
        stopped = []
        for active in list(self._active):
            if iterations is None or active.task.iteration in iterations:
                self._kill(active)
                self._active.remove(active)
                stopped.append(Finished(active.task, None, reason, now - active.started, timed_out=True))
        return stopped
