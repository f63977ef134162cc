"""The Prefect API that `duel run` talks to, made ready while the flow is still being imported.

``PREFECT_API_URL`` (from the environment or the Prefect profile) wins. Else a Prefect server that
already runs on this machine (``prefect server start``, at Prefect's configured host and port) is
used as it is: nothing to wait for, and the run stays in its UI after the command ends. Else
Prefect's temporary server is started at once in a background thread, so that its start-up, a
separate process, overlaps this process's imports of the flow instead of following them.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

_PROBE_TIMEOUT_S = 0.5


def running_local_server() -> str | None:
    """The API URL of a healthy Prefect server at the configured host and port, or None."""
    import httpx
    from prefect.settings import get_current_settings

    server = get_current_settings().server.api
    host = "127.0.0.1" if server.host in ("0.0.0.0", "::", "") else server.host
    # A bare connect fails in microseconds where nothing listens: most runs pay no HTTP timeout.
    try:
        socket.create_connection((host, server.port), timeout=_PROBE_TIMEOUT_S).close()
    except OSError:
        return None
    url = f"http://{host}:{server.port}/api"
    try:
        health = httpx.get(f"{url}/health", timeout=_PROBE_TIMEOUT_S)
    except httpx.HTTPError:
        return None
    return url if health.status_code == 200 and health.text.strip() == "true" else None


@contextlib.contextmanager
def prefect_api() -> Iterator[Callable[[], None]]:
    """Within: the API chosen as the module says; the yielded callable waits until it answers."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if get_current_settings().api.url:
        yield lambda: None
        return
    url = running_local_server()
    if url is not None:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield lambda: None
        return
    from prefect.server.api.server import SubprocessASGIServer

    # The instance Prefect's client looks up when it needs a temporary server: started here, it is
    # found running (Prefect stops it at exit, as always).
    starting = threading.Thread(target=SubprocessASGIServer().start, name="prefect-server", daemon=True)
    starting.start()
    yield starting.join
