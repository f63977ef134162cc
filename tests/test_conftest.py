"""The suite finds the housing file the way the loader does, and skips with a reason only without one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROBE = """
import os

def test_probe(housing_path):
    print("FOUND", housing_path, os.environ["DUEL_DATA"])
"""


@pytest.fixture
def suite(tmp_path):
    """A folder with the project's conftest and one test that asks for the housing file."""
    folder = tmp_path / "suite"
    folder.mkdir()
    shutil.copy(REPO / "tests" / "conftest.py", folder / "conftest.py")
    (folder / "test_probe.py").write_text(PROBE)

    def run(cache_home: Path) -> str:
        env = {k: v for k, v in os.environ.items() if k != "DUEL_DATA"}
        env.update(XDG_CACHE_HOME=str(cache_home), PYTHONPATH=str(REPO))
        command = [sys.executable, "-m", "pytest", "-q", "-s", "-rs", "-p", "no:cacheprovider", str(folder)]
        return subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, cwd=folder
        ).stdout

    return run


def test_without_duel_data_the_loaders_cache_is_used_and_passed_on(suite, housing_path, tmp_path):
    cached = tmp_path / "cache" / "automl-duel" / "housing.csv"
    cached.parent.mkdir(parents=True)
    cached.symlink_to(housing_path)
    output = suite(tmp_path / "cache")
    assert f"FOUND {cached} {cached}" in output and "1 passed" in output


def test_without_any_copy_the_data_tests_skip_and_say_where_to_put_one(suite, tmp_path):
    output = suite(tmp_path / "empty-cache")
    assert "1 skipped" in output
    assert "no housing.csv: set DUEL_DATA or put a copy at" in output
    assert str(tmp_path / "empty-cache" / "automl-duel" / "housing.csv") in output
