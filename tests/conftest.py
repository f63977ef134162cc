"""Project-wide fixtures: the housing file and an isolated emulator home per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "housing.csv"

os.environ.setdefault("DUEL_DATA", str(SHARED_DATA))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("AZUREML_LOG_DEPRECATION_WARNING_ENABLED", "False")


@pytest.fixture(scope="session")
def housing_path() -> Path:
    path = Path(os.environ["DUEL_DATA"])
    if not path.is_file():
        pytest.fail(f"housing file not found at {path}: set DUEL_DATA to a copy of housing.csv")
    return path


@pytest.fixture(scope="session")
def housing(housing_path):
    from tasks.data import load_housing

    return load_housing(housing_path)
