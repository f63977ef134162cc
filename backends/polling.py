"""Polling that a busy workspace tolerates: an interval that grows while nothing changes.

Both SDKs' ``follow`` read the parent and its children in a constant number of calls per poll and
wait :meth:`Backoff.wait` between polls: the base interval after any change, doubling up to a cap
while the job looks the same, so a long sweep on a quiet night asks Azure little. A 429 is waited
out for as long as its ``Retry-After`` asks (:func:`retry_after`; azure-core's pipeline already does
this for the v2 SDK). Standard library only: the SDK v1 steps import it in ``.venv-azure``.
"""

from __future__ import annotations

import time
from typing import Any

CAP_SECONDS = 60.0


class Backoff:
    """The wait between polls: ``base`` after a change, doubling to ``cap`` while nothing changes."""

    def __init__(self, base: float, cap: float = CAP_SECONDS):
        self.base, self.cap = base, max(base, cap)
        self.interval = base
        self._seen: Any = object()

    def wait(self, seen: Any) -> float:
        """Sleep before the next poll, ``seen`` being what this poll read; returns the seconds slept.

        Args:
            seen: a comparable summary of the poll (status, finished children, ...).

        Returns:
            The interval slept: ``base`` if ``seen`` differs from the last poll's, else twice the last.
        """
        self.interval = self.base if seen != self._seen else min(self.cap, self.interval * 2)
        self._seen = seen
        time.sleep(self.interval)
        return self.interval


def _response(error: BaseException) -> Any:
    # azure-core's and msrest's errors carry the response; SDK v1's ServiceException wraps msrest's.
    response = getattr(error, "response", None)
    if response is None:
        response = getattr(getattr(error, "inner_exception", None), "response", None)
    return response


def retry_after(error: BaseException) -> float | None:
    """Seconds a throttled (429) request asks to wait, from the error's HTTP response; else None.

    Args:
        error: what an SDK call raised.

    Returns:
        ``Retry-After`` in seconds (1 when the header is missing or not a number) for a 429; None
        for any other error, which the caller re-raises.
    """
    response = _response(error)
    status = getattr(error, "status_code", None) or getattr(response, "status_code", None)
    if status != 429:
        return None
    headers = getattr(response, "headers", None) or {}
    try:
        return max(0.0, float(headers.get("Retry-After", 1)))
    except (TypeError, ValueError):
        return 1.0
