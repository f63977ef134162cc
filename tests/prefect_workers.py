"""Draining Prefect's process-wide event and log workers, bounded, from any test.

They keep the API URL they started with, so a test that talks to a server of its own drains them
before that server stops. ``drain_all`` only waits when no event loop runs in the calling thread
(else it returns a coroutine, and nothing waits): a browser test's thread has one, so the drain
runs in a thread of its own.
"""

from __future__ import annotations

import threading


def drain_prefect_workers(timeout_s: float = 60) -> None:
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    def drain() -> None:
        EventsWorker.drain_all(timeout=timeout_s)
        APILogWorker.drain_all(timeout=timeout_s)

    worker = threading.Thread(target=drain, name="drain-prefect-workers", daemon=True)
    worker.start()
    worker.join(2 * timeout_s + 5)
