"""A training job's progress where people look: Prefect progress artifacts, log lines, a terminal.

The backend calls a :class:`ProgressArtifact` with each :class:`~backends.messages.Progress` of a
job. It keeps a Prefect progress artifact at the finished share, logs a line whenever something a
person cares about changed (a trial started, finished or was cancelled, a better metric), and hands
every report to the listeners a terminal registered with :func:`listen` (``duel run``'s display).
It also remembers each job it saw submitted, by flow run, so a flow that gives up can cancel them
(:func:`submitted_runs`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from prefect import get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.runtime import flow_run

from backends.messages import Progress

Listener = Callable[[str, Progress], None]
_listeners: list[Listener] = []
_lock = threading.Lock()
_submitted: dict[str, list[str]] = {}


def listen(listener: Listener) -> Callable[[], None]:
    """Call ``listener(label, progress)`` with every job's progress in this process; returns the undo.

    Args:
        listener: called with a job's label and its progress.

    Returns:
        A function that stops the listening.
    """
    with _lock:
        _listeners.append(listener)

    def stop() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return stop


def submitted_runs(flow_run_id: str) -> list[str]:
    """The jobs' run ids that :class:`ProgressArtifact` saw submitted in the flow run ``flow_run_id``."""
    with _lock:
        return list(_submitted.get(flow_run_id, ()))


def _changes(progress: Progress) -> tuple:
    return (progress.started, progress.finished, progress.canceled, progress.best)


class ProgressArtifact:
    """Called with each :class:`Progress` of a job; the first call logs the submission."""

    def __init__(self, label: str):
        self.label = label
        self._artifact = None
        self._last: tuple | None = None

    def __call__(self, progress: Progress) -> None:
        logger = get_run_logger()
        if self._artifact is None:
            logger.info("%s run %s submitted", self.label, progress.run_id)
            with _lock:
                _submitted.setdefault(str(flow_run.id), []).append(progress.run_id)
            self._artifact = create_progress_artifact(
                progress=0.0, description=f"{self.label} {progress.run_id}: finished children"
            )
        update_progress_artifact(self._artifact, progress=progress.percent, description=progress.describe())
        if _changes(progress) != self._last:
            self._last = _changes(progress)
            logger.info("%s: %s", self.label, progress.describe())
        with _lock:
            listeners = list(_listeners)
        for listener in listeners:
            listener(self.label, progress)
