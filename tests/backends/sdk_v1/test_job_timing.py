"""A finished job's time split into queue and start-up (until its first child starts) and training."""

from __future__ import annotations

import pytest

from emulator import hook


@pytest.fixture
def jobs(emulator_backend):
    with hook.azureml_emulated():
        from backends.sdk_v1 import jobs

        yield jobs


def test_the_wait_for_the_first_child_is_told_apart_from_training(jobs, emulator_backend):
    from azureml.core import Experiment

    parent = Experiment(emulator_backend.workspace, "timed").start_logging()
    first = parent.child_run(name="trial-0")
    first.start()
    first.complete()
    parent.complete()
    details = {run.id: run.get_details() for run in (parent, first)}

    timing = jobs.job_timing(emulator_backend.workspace, parent.id)

    started, child, ended = (
        jobs._utc(details[parent.id]["startTimeUtc"]),
        jobs._utc(details[first.id]["startTimeUtc"]),
        jobs._utc(details[parent.id]["endTimeUtc"]),
    )
    assert timing.queued_seconds == pytest.approx((child - started).total_seconds())
    assert timing.training_seconds == pytest.approx((ended - child).total_seconds())
    assert timing.queued_seconds >= 0 and timing.training_seconds >= 0


def test_a_job_whose_children_never_started_has_no_timing(jobs, emulator_backend):
    from azureml.core import Experiment

    parent = Experiment(emulator_backend.workspace, "untimed").start_logging()
    parent.complete()

    timing = jobs.job_timing(emulator_backend.workspace, parent.id)

    assert (timing.queued_seconds, timing.training_seconds) == (None, None)


def test_the_run_historys_seven_fraction_digits_are_read(jobs):
    assert jobs._utc("2026-12-05T15:09:38.1234567Z").microsecond == 123456
