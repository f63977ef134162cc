"""Process identity and termination: a run's process is its pid plus the pid's start time, so a
recycled pid is never mistaken for the run's process."""

from __future__ import annotations

import os
import signal
import time

import psutil


def identity(pid: int | None = None) -> tuple[int, float]:
    """(pid, start time) of a process, this one by default."""
    process = psutil.Process(pid or os.getpid())
    return process.pid, process.create_time()


def alive(pid: int | None, started: float | None) -> bool:
    """Whether the process ``pid`` that started at ``started`` still runs (zombies count as dead)."""
    if not pid:
        return False
    try:
        process = psutil.Process(pid)
        if started is not None and abs(process.create_time() - started) > 0.05:
            return False
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def terminate_group(pid: int, started: float | None, grace_seconds: float = 5.0) -> None:
    """SIGTERM the process group led by ``pid``, then SIGKILL it if it outlives ``grace_seconds``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not alive(pid, started):
            return
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.monotonic() + grace_seconds
        while time.monotonic() < deadline and alive(pid, started):
            time.sleep(0.05)
