"""A night is a night: retries of one night reuse its finished training jobs, the next night trains anew."""

from __future__ import annotations

import uuid

import pytest
from prefect import flow, task

from backends.messages import DatasetRef
from tasks.caching import TRAINING_JOB
from tasks.registered_split import DataRefs
from tasks.settings import DuelSettings

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]

# Every real execution of the job appends here; a cache hit does not.
SUBMISSIONS: list[str] = []
CRASHES_LEFT: list[int] = []


@pytest.fixture(autouse=True)
def _fresh_counters():
    SUBMISSIONS.clear()
    CRASHES_LEFT.clear()


@task(cache_policy=TRAINING_JOB, persist_result=True)
def training_job(settings: DuelSettings, data: DataRefs) -> str:
    run_id = f"AutoML_{uuid.uuid4()}"
    SUBMISSIONS.append(run_id)
    return run_id


@flow
def duel_subflow(settings: DuelSettings, data: DataRefs) -> str:
    run_id = training_job(settings, data)
    if CRASHES_LEFT:
        CRASHES_LEFT.pop()
        raise RuntimeError("the worker died after the training job finished")
    return run_id


@flow(retries=1)
def night(settings: DuelSettings, data: DataRefs) -> str:
    # As the nightly flow calls the duel: a subflow, which the parent's retry re-creates.
    return duel_subflow(settings, data)


def _refs(fingerprint: str = "a" * 16) -> DataRefs:
    return DataRefs(DatasetRef("train", 1), DatasetRef("test", 1), fingerprint, 800, 200)


def test_a_retried_night_reuses_the_finished_job():
    CRASHES_LEFT.append(1)
    run_id = night(DuelSettings(subset=1000), _refs())
    # The first attempt submitted the job and crashed; the retry found it finished.
    assert SUBMISSIONS == [run_id]


def test_the_next_night_trains_again_on_unchanged_data():
    settings, refs = DuelSettings(subset=1000), _refs()
    first = night(settings, refs)
    second = night(settings, refs)
    assert second != first
    assert SUBMISSIONS == [first, second]


def test_other_data_or_settings_within_a_night_train_again():
    @flow
    def one_night() -> list[str]:
        settings, refs = DuelSettings(subset=1000), _refs()
        return [
            training_job(settings, refs),
            training_job(settings, refs),
            training_job(settings, _refs("b" * 16)),
            training_job(DuelSettings(subset=2000), refs),
        ]

    runs = one_night()
    assert runs[0] == runs[1]
    assert len(set(runs)) == 3 and len(SUBMISSIONS) == 3
