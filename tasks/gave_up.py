"""A contestant's job that ended without a model: one line saying what happened and what fixes it,
and the flow's clean-up (every job it started is cancelled before it gives up).

Such an end is expected on a small budget or a busy machine, so it is a failed state with a message,
not an exception with a traceback; a defect still raises as it did.
"""

from __future__ import annotations

import logging

from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.states import Failed, State

from backends.messages import JobFailed
from tasks.opened import opened_backend
from tasks.progress import submitted_runs
from tasks.settings import DuelSettings


class _NoEmptyTraceback(logging.Filter):
    """Prefect logs a task's returned failed state with ``exc_info`` and no exception in flight, which
    prints "NoneType: None" under the line; such a record keeps its line and loses the empty trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is None:
            record.exc_info = None
        return True


logging.getLogger("prefect.task_runs").addFilter(_NoEmptyTraceback())


class NoModel(RuntimeError):
    """A contestant's job ended without a model to judge; the message names the setting that helps."""


def no_model(name: str, error: JobFailed, remedy: str) -> State:
    """The failed state of a contestant's task: what happened, then ``remedy`` (the setting to change)."""
    problem = NoModel(f"{name} produced no model: {error}. {remedy}")
    return Failed(message=str(problem), data=problem)


def first_failure(futures: list[PrefectFuture], settings: DuelSettings) -> NoModel | None:
    """Wait for the contestants; on the first that failed, cancel every job this flow run started and
    wait for the others to end. Returns its :class:`NoModel` (None when all have a model); a defect
    raises as it was raised."""
    pending = list(futures)
    for future in as_completed(futures):
        pending.remove(future)
        error = future.result(raise_on_failure=False)
        if not isinstance(error, BaseException):
            continue
        backend = opened_backend(settings)
        for run_id in submitted_runs(str(flow_run.id)):
            backend.cancel_run(run_id)
        for other in pending:
            other.wait()
        if isinstance(error, NoModel):
            return error
        raise error
    return None
