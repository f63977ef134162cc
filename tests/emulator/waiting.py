"""Polling for what a real process does in its own time."""

from __future__ import annotations

import time


def wait_for(predicate, timeout=20.0):
    """Poll ``predicate`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)
