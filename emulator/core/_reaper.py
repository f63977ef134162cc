"""Reaping: an active run whose process is gone becomes Failed (or Canceled, if cancel was asked).

Workspaces reap when they open their store, runs when their status is read; neither needs the other.
"""

from __future__ import annotations

import time

from ..store import TERMINAL_STATUSES
from . import _process

ACTIVE_STATUSES = (
    "Queued",
    "Preparing",
    "Provisioning",
    "Starting",
    "Running",
    "Finalizing",
    "CancelRequested",
)


def _reap_dead_runs(store) -> None:
    """Mark Failed every active run whose process is gone (killed, crashed, machine restarted)."""
    for record in store.search_runs(statuses=ACTIVE_STATUSES):
        _reap(store, record)


def _reap(store, record: dict) -> bool:
    if record["status"] not in ACTIVE_STATUSES or not record["pid"]:
        return False
    if _process.alive(record["pid"], record["pid_started"]):
        return False
    canceling = record["status"] == "CancelRequested"
    error = (
        None if canceling else {"code": "ProcessDied", "message": f"The run's process {record['pid']} died."}
    )
    return store.update_run(
        record["run_id"],
        {"status": "Canceled" if canceling else "Failed", "end_time": time.time(), "error": error},
        unless_status=TERMINAL_STATUSES,
    )
