"""Task tests: the tasks' own functions (``.fn``) on an emulated workspace, with no Prefect run."""

from __future__ import annotations

import pytest
from prefect.logging import disable_run_logger

from tasks.settings import DuelSettings


@pytest.fixture
def duel_settings(tmp_path, emulator_backend, housing_path) -> DuelSettings:
    """Settings on the emulator backend's workspace, with a 1,000-row subset of the housing file."""
    with disable_run_logger():
        yield DuelSettings(
            backend="emulator", emulator_home=tmp_path / "emulator", data=housing_path, subset=1000
        )
