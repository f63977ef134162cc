"""Following an SDK v1 run politely: the step code under the emulator's hook, its calls counted.

The parent run is the emulator's own; a small proxy counts the calls ``follow`` makes on it (each
is one request to the run history on Azure), and can answer one of them 429 as Azure throttles.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from azure.core.exceptions import HttpResponseError

from backends import polling
from emulator import hook


@pytest.fixture
def jobs(emulator_backend):
    with hook.azureml_emulated():
        from backends.sdk_v1 import jobs

        yield jobs


@pytest.fixture
def slept(monkeypatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(polling.time, "sleep", waits.append)
    return waits


class CountedRun:
    """The parent run, with every SDK call on it counted; ``throttle`` names a call answered 429 once."""

    def __init__(self, run, throttle: str | None = None):
        self._run, self.calls, self._throttle = run, [], throttle

    def __getattr__(self, name):
        found = getattr(self._run, name)
        if not callable(found):
            return found

        def counted(*args, **kwargs):
            self.calls.append(name)
            if name == self._throttle:
                self._throttle = None
                response = SimpleNamespace(status_code=429, headers={"Retry-After": "7"}, reason="Too Many")
                raise HttpResponseError(message="throttled", response=response)
            return found(*args, **kwargs)

        return counted


def _parent_with_children(workspace, count: int):
    from azureml.core import Experiment

    parent = Experiment(workspace, f"poll-{count}").start_logging()
    for index in range(count):
        child = parent.child_run(name=f"trial-{index}")
        child.log("val_mae", float(index))
        if index % 2:
            child.complete()
        else:
            child.start()
    return parent


def _follow(jobs, parent, polls: int, **counted):
    run = CountedRun(parent, **counted)
    reports = []

    def end_after_polls(progress):
        reports.append(progress)
        if len(reports) == polls + 1:  # the first report comes before any poll
            parent.complete()

    jobs.follow(run, 10, end_after_polls, metric="val_mae")
    return run.calls, reports


def test_a_poll_costs_the_same_calls_for_two_children_as_for_thirty(jobs, emulator_backend, slept):
    few, _ = _follow(jobs, _parent_with_children(emulator_backend.workspace, 2), polls=3)
    many, reports = _follow(jobs, _parent_with_children(emulator_backend.workspace, 30), polls=3)

    assert len(many) == len(few)
    assert many.count("get_children") == 4 and many.count("get_metrics") == 1
    assert reports[-1].best == 1.0 and reports[1].started == 30


def test_the_interval_grows_while_nothing_changes(jobs, emulator_backend, slept):
    _follow(jobs, _parent_with_children(emulator_backend.workspace, 2), polls=6)

    base = jobs.POLL_SECONDS
    assert slept[:5] == [base, base, 2 * base, 4 * base, 8 * base]


def test_a_throttled_read_waits_as_long_as_retry_after_asks(jobs, emulator_backend, slept):
    calls, _ = _follow(
        jobs, _parent_with_children(emulator_backend.workspace, 3), polls=2, throttle="get_children"
    )

    assert 7.0 in slept
    assert calls[:3] == ["get_status", "get_children", "get_children"]  # asked again after the wait
