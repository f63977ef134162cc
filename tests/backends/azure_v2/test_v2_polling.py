"""Following a v2 job politely: constant calls per poll, a growing interval, 429s waited out.

Kept apart from the other v2 job tests so that it can be pointed at another Azure stand-in (the
emulator's v2 surface) by changing the ``azure`` fixture alone.
"""

from __future__ import annotations

import pytest

from backends import polling
from backends.azure_v2 import jobs
from tests.backends.azure_v2.fake_workspace import LocalTransport, route_key


@pytest.fixture
def slept(monkeypatch) -> list[float]:
    """The intervals the poll waits between reads, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(polling.time, "sleep", waits.append)
    return waits


def _follow(azure, automl_message, statuses, children, on_progress=None, **client_options):
    """Submit an AutoML job that reads ``statuses`` in turn with ``children``; follow it and return
    the requests the following made."""
    azure.computes.add("cpu-cluster")
    azure.script(statuses, children, best=children[0][0] if children else None)
    ml_client = azure.client(**client_options)
    name = jobs.submit(ml_client, jobs.specs.automl_job(automl_message), automl_message.experiment)
    before = len(azure.requests)
    jobs.follow(ml_client, name, automl_message.iterations, on_progress)
    return azure.requests[before:]


def _children(count: int) -> tuple:
    return tuple((f"automl_{i}", "Completed" if i % 2 else "Running", {}) for i in range(count))


def test_a_poll_costs_the_same_calls_for_two_children_as_for_forty(azure, slept, automl_message):
    script = ["Running"] * 4 + ["Completed"]
    few = _follow(azure, automl_message, script, _children(2))
    polls = len(slept)
    many = _follow(azure, automl_message, script, _children(40))

    def jobs_and_runs(requests):  # the workspace and discovery reads are made once per client
        return [r for r in requests if "/jobs/" in r.path or "/runs/" in r.path]

    assert len(jobs_and_runs(many)) == len(jobs_and_runs(few))
    # one listing of the children per poll, and one more once the job has ended
    assert sum(r.path.endswith("/children") for r in few) == polls + 1


def test_the_interval_grows_while_nothing_changes_and_drops_back_when_a_child_finishes(
    azure, slept, automl_message, monkeypatch
):
    monkeypatch.setattr(jobs, "POLL_SECONDS", 10.0)
    polls = 0

    def a_child_finishes_on_the_fifth_poll(progress):
        nonlocal polls
        polls += 1
        if polls == 6:  # the first report is before any poll
            azure.add_child(progress.run_id, "automl_late", "Completed")

    _follow(
        azure,
        automl_message,
        ["Running"] * 30 + ["Completed"],
        _children(1),
        a_child_finishes_on_the_fifth_poll,
    )

    # The first poll finds the job's first child (a change), then nothing changes up to the cap.
    assert slept[:5] == [10.0, 10.0, 20.0, 40.0, polling.CAP_SECONDS]
    assert 10.0 in slept[5:]  # the late child is a change: back to the base interval


def test_a_throttled_poll_waits_as_long_as_retry_after_asks(azure, slept, automl_message, monkeypatch):
    transport_waits: list[float] = []
    monkeypatch.setattr(LocalTransport, "sleep", lambda self, seconds: transport_waits.append(seconds))
    azure.throttled[route_key("GET", "children")] = 2
    azure.throttled[route_key("GET", "job")] = 1

    sent = _follow(
        azure, automl_message, ["Running", "Running", "Completed"], _children(3), retry_backoff_factor=0.01
    )

    assert azure.throttled == {route_key("GET", "children"): 0, route_key("GET", "job"): 0}
    # The fake asks for 1 s; without Retry-After the backoff factor would wait 0.01 s or so.
    assert transport_waits == [1.0, 1.0, 1.0]
    assert sum(request.path.endswith("/children") for request in sent) >= 3  # 2 refused, then answered
