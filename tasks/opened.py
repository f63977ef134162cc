"""The backend a flow run works on, opened once per run and shared by its tasks.

Tasks take the settings rather than an opened backend: see :mod:`backends` for why Prefect's task
semantics (hashed cache keys, persisted parameters for retries and workers) rule the latter out.
"""

from __future__ import annotations

import threading

from prefect.runtime import flow_run

from backends import Backend, clusters, open_backend
from tasks.settings import DuelSettings

_LOCK = threading.Lock()
_OPENED: dict[tuple, Backend] = {}


def _key(settings: DuelSettings) -> tuple:
    # Everything open_backend reads, and the run: the next run (or another workspace) opens afresh.
    where = (settings.backend, settings.emulator_home, settings.azure_config, settings.azure_auth)
    return (*where, settings.azure_python, repr(clusters(settings)), flow_run.id)


def opened_backend(settings: DuelSettings) -> Backend:
    """The settings' backend, opened on the first call of this flow run and kept for the others.

    Args:
        settings: the run's settings.

    Returns:
        The opened backend; outside a flow run, one opened for this call alone.
    """
    key = _key(settings)
    if key[-1] is None:
        return open_backend(settings)
    with _LOCK:
        if key not in _OPENED:
            _OPENED.clear()  # one run's backend at a time: a lasting worker runs night after night
            _OPENED[key] = open_backend(settings)
        return _OPENED[key]
