"""The Prefect API that `duel run` talks to, made ready while the flow is still being imported.

``PREFECT_API_URL`` (from the environment or the Prefect profile) wins. Else a Prefect server that
already runs on this machine (``prefect server start``, or one an earlier run left, at Prefect's
configured host and port) is used as it is: nothing to wait for (unless it is the lasting one
below, started by another Prefect version: that one is replaced). Else one is started there to
last (flows.lasting_server): this run pays its start-up, overlapped with the flow's imports, and
every later run finds it running, its UI keeping their runs. Only when that port is taken by
something else, or when asked to (``lasting=False``), does the run get Prefect's temporary server,
which stops with the process.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flows import lasting_server

_PROBE_TIMEOUT_S = 0.5


@dataclass(frozen=True)
class ApiChoice:
    """Which API the run uses, in a line for its user, and a wait until that API answers."""

    described: str
    ready: Callable[[], None]


def _configured_host_port() -> tuple[str, int]:
    """Where Prefect's settings put its server (``prefect server start`` binds there)."""
    from prefect.settings import get_current_settings

    server = get_current_settings().server.api
    return server.host, server.port


def running_local_server() -> str | None:
    """The Prefect server running at the configured host and port.

    Returns:
        Its API URL when it answers its health check, else None.
    """
    bind, port = _configured_host_port()
    host = lasting_server.local_host(bind)
    # A bare connect fails in microseconds where nothing listens: most runs pay no HTTP timeout.
    try:
        socket.create_connection((host, port), timeout=_PROBE_TIMEOUT_S).close()
    except OSError:
        return None
    url = f"http://{host}:{port}/api"
    return url if lasting_server.healthy(url, _PROBE_TIMEOUT_S) else None


def _ui(api_url: str) -> str:
    return api_url.removesuffix("/api")


@contextlib.contextmanager
def prefect_api(lasting: bool = True) -> Iterator[ApiChoice]:
    """Within the block, the Prefect API chosen as the module says.

    Args:
        lasting: with no server running, start one to last (else a temporary one).

    Yields:
        The choice: what to tell the user, and ``ready()`` to wait for the server.
    """
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    settings = get_current_settings()
    if settings.api.url:
        yield ApiChoice(f"Prefect: {settings.api.url} (PREFECT_API_URL)", lambda: None)
        return
    home = Path(settings.home)
    url = running_local_server()
    replaced = lasting_server.other_prefect_version(home, url) if url is not None else None
    if replaced is not None:
        lasting_server.stop(home)
        url = None
    if url is not None:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield ApiChoice(f"Prefect: the server running at {_ui(url)}", lambda: None)
        return
    host, port = _configured_host_port()
    server = lasting_server.start(home, host, port) if lasting else None
    if server is not None:
        timeout = settings.server.ephemeral.startup_timeout_seconds
        started = "started" if server.started_here else "another run is starting"
        if replaced is not None:
            started = f"stopped the lasting server of Prefect {replaced} and started"
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield ApiChoice(
                f"Prefect: {started} a server at {_ui(server.api_url)} that stays up for later runs "
                f"and its UI (`prefect server stop` stops it; log {server.log})",
                lambda: server.wait_healthy(timeout),
            )
        return
    from prefect.server.api.server import SubprocessASGIServer

    # The instance Prefect's client looks up when it needs a temporary server: started here, it is
    # found running (Prefect stops it at exit, as always).
    starting = threading.Thread(target=SubprocessASGIServer().start, name="prefect-server", daemon=True)
    starting.start()
    why = f" ({host}:{port} is taken by something else)" if lasting else ""
    yield ApiChoice(f"Prefect: a temporary server{why}, stopped when this run ends", starting.join)
