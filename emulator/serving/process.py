"""Starting, probing and stopping the scoring server as a detached local process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from .config import ServerConfig

_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def start_server(
    config: ServerConfig,
    *,
    model_dir: Path,
    port: int,
    log_path: Path,
    host: str = "127.0.0.1",
    workers: int = 1,
) -> subprocess.Popen:
    """Launch ``python -m emulator.serving`` in its own session, so it outlives the caller.

    ``AZUREML_MODEL_DIR`` points at ``model_dir``; stdout and stderr (the request log included)
    go to ``log_path``.
    """
    env = {**os.environ, **config.to_env(), "AZUREML_MODEL_DIR": str(model_dir)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PROJECT_ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "emulator.serving", "--host", host, "--port", str(port)]
    command += ["--workers", str(workers)]
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=config.entry_script.parent,
            start_new_session=True,
        )


def is_healthy(base_url: str) -> bool:
    """Whether ``GET /`` answers 200."""
    try:
        with urllib.request.urlopen(base_url.rstrip("/") + "/", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until_healthy(base_url: str, alive: Callable[[], bool], timeout: float) -> bool:
    """Poll liveness until it answers (True), ``alive()`` turns false or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_healthy(base_url):
            return True
        if not alive():
            return False
        time.sleep(0.1)
    return False


def _reap(pid: int) -> None:
    # a child of this process lingers as a zombie until waited for
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def start_time(pid: int) -> int | None:
    """The kernel's start time of ``pid`` (clock ticks since boot), None when it is gone or a zombie.

    Stored beside the pid, it tells the server apart from an unrelated process that reused the pid.
    """
    _reap(pid)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces and parentheses
    return None if fields[0] == "Z" else int(fields[19])


def process_alive(pid: int, started: int | None) -> bool:
    """Whether the process ``pid`` that started at ``started`` still runs."""
    now = start_time(pid)
    return now is not None and (started is None or now == started)


def stop_process(pid: int, started: int | None = None, grace: float = 5.0) -> None:
    """Terminate the server's process group (its uvicorn workers included), forcibly after ``grace``."""
    if not process_alive(pid, started):
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not process_alive(pid, started):
                return
            time.sleep(0.05)
