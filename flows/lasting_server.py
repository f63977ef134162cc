"""A local Prefect server that outlives `duel run`: started once, and found running by every later run.

It is Prefect's own ``prefect server start``, its pid in ``PREFECT_HOME/server.pid`` (so ``prefect
server stop`` stops it), run in a session of its own (Ctrl-C on the run that started it does not
reach it) with its output in ``PREFECT_HOME/server.log``. Not ``--background``: that leaves the
server writing to pipes of a process that has exited, so its log is lost.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

# The file `prefect server stop` reads (prefect.cli._server_utils.SERVER_PID_FILE_NAME).
PID_FILE = "server.pid"
LOG_FILE = "server.log"
_POLL_S = 0.1


class ServerStartError(RuntimeError):
    """The lasting server did not come up; the message names its log."""


@dataclass(frozen=True)
class LastingServer:
    """A server this run started, or one another run has started and is still starting."""

    api_url: str
    pid: int
    log: Path
    started_here: bool

    def wait_healthy(self, timeout_s: float) -> None:
        """Return once the API answers its health check.

        Args:
            timeout_s: how long to wait.

        Raises:
            ServerStartError: the process ended (the error holds its log's end) or time ran out.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if healthy(self.api_url):
                return
            if not _alive(self.pid):
                raise ServerStartError(
                    f"the Prefect server exited while starting; the end of {self.log}:\n{_tail(self.log)}"
                )
            time.sleep(_POLL_S)
        raise ServerStartError(
            f"the Prefect server did not answer at {self.api_url} within {timeout_s:.0f} s; see {self.log}"
        )


def local_host(host: str) -> str:
    """Where this machine reaches a server bound to ``host``.

    Args:
        host: the address the server binds.

    Returns:
        ``host``, or the loopback address for a wildcard bind.
    """
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def healthy(api_url: str, timeout_s: float = 0.5) -> bool:
    """Whether a Prefect API answers its health check.

    Args:
        api_url: the API's URL (ending in ``/api``).
        timeout_s: how long to wait for the answer.

    Returns:
        True when ``/health`` answers ``true``.
    """
    try:
        answer = httpx.get(f"{api_url}/health", timeout=timeout_s)
    except httpx.HTTPError:
        return False
    return answer.status_code == 200 and answer.text.strip() == "true"


def other_prefect_version(home: Path, api_url: str) -> str | None:
    """The version of a lasting server left by another Prefect install, which may not speak this
    client's API.

    Args:
        home: the Prefect home the server was started from (its pid file held by a live process).
        api_url: where the server answers.

    Returns:
        The server's Prefect version when it is the one started from ``home`` and differs from
        this one's, else None.
    """
    import prefect

    pid = _read_pid(home / PID_FILE)
    if pid is None or not _alive(pid):
        return None
    try:
        version = httpx.get(f"{api_url}/admin/version", timeout=2).json()
    except (httpx.HTTPError, ValueError):
        return None
    return version if version != prefect.__version__ else None


def stop(home: Path, timeout_s: float = 15) -> None:
    """Stop the server started to last from ``home``, as ``prefect server stop`` does, and wait for it.

    Args:
        home: the Prefect home holding the server's pid file.
        timeout_s: how long to wait for the process to end.
    """
    pid_file = home / PID_FILE
    pid = _read_pid(pid_file)
    if pid is not None and _alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(_POLL_S)
    pid_file.unlink(missing_ok=True)


def start(home: Path, host: str, port: int) -> LastingServer | None:
    """Start the server in the background, or adopt the one another run is starting.

    Args:
        home: the Prefect home (its database, the pid file, ``server.log``).
        host: the address to bind.
        port: the port to bind.

    Returns:
        The server started here or by another run (its pid file held by a live process), or None
        when the port is taken by something else.
    """
    home.mkdir(parents=True, exist_ok=True)
    pid_file, log = home / PID_FILE, home / LOG_FILE
    api_url = f"http://{local_host(host)}:{port}/api"
    # The pid file, created exclusively, is the lock between two runs starting at once.
    for _ in range(2):
        try:
            fd = os.open(pid_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            break
        except FileExistsError:
            pid = _read_pid(pid_file)
            if pid is None:
                # Created a moment ago by a run that has not written its pid yet.
                time.sleep(0.5)
                pid = _read_pid(pid_file)
            if pid is not None and _alive(pid):
                return LastingServer(api_url, pid, log, started_here=False)
            # Left by a server that is gone (a reboot, a kill): not a lock any more.
            pid_file.unlink(missing_ok=True)
    else:
        return None
    with os.fdopen(fd, "w") as pid_out:
        if not _bindable(host, port):
            pid_file.unlink(missing_ok=True)
            return None
        process = _spawn(home, host, port, api_url, log)
        pid_out.write(str(process.pid))
    return LastingServer(api_url, process.pid, log, started_here=True)


def _spawn(home: Path, host: str, port: int, api_url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PREFECT_HOME": str(home)}
    # Else the UI served on a port other than 4200 calls the API at 4200.
    env.setdefault("PREFECT_UI_API_URL", api_url)
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port)]
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            cwd=home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _bindable(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def _read_pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text())
    except (OSError, ValueError):
        return None
    # 0 and below name process groups, not a server: os.kill(0, 0) would "find" this very run.
    return pid if pid > 0 else None


def _alive(pid: int) -> bool:
    # A child of this process that exited stays a zombie until reaped: reap it, so it reads as gone.
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _tail(log: Path, lines: int = 5) -> str:
    try:
        text = [line for line in log.read_text(errors="replace").splitlines() if line.strip()][-lines:]
    except OSError:
        return f"no log at {log}"
    return "\n".join(text) or f"{log} is empty"
