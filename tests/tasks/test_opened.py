"""One backend per flow run: the tasks of a run share it, the next run opens its own."""

from __future__ import annotations

from tasks.opened import opened_backend


def test_the_tasks_of_one_flow_run_share_its_backend_and_the_next_run_opens_afresh(
    duel_settings, monkeypatch
):
    # A flow run's id reaches its tasks as Prefect's runtime reads it in a worker's process.
    monkeypatch.setenv("PREFECT__FLOW_RUN_ID", "run-1")
    first = opened_backend(duel_settings)
    assert opened_backend(duel_settings) is first
    assert first.capabilities.name == "emulator"

    monkeypatch.setenv("PREFECT__FLOW_RUN_ID", "run-2")
    assert opened_backend(duel_settings) is not first


def test_outside_a_flow_run_each_call_opens_its_own(duel_settings, monkeypatch):
    monkeypatch.delenv("PREFECT__FLOW_RUN_ID", raising=False)
    assert opened_backend(duel_settings) is not opened_backend(duel_settings)
