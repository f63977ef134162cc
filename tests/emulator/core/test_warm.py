"""The warm interpreter forks run processes that behave like freshly started ones."""

from __future__ import annotations

import os
import time

import pytest

from emulator.core import _process
from emulator.core._warm import WarmSpawner

# A module the forked process runs with `-m`, reporting what a run process must have of its own.
_PROBE = """
import os, sys
print("argv", sys.argv[1:])
print("cwd", os.getcwd())
print("env", os.environ.get("PROBE_VALUE"), os.environ.get("ONLY_IN_SPAWNER"))
print("session", os.getsid(0) == os.getpid())
print("preloaded", "json" in sys.modules)
sys.exit(int(sys.argv[1]))
"""


@pytest.fixture
def spawner(tmp_path):
    (tmp_path / "probe_module.py").write_text(_PROBE)
    warm = WarmSpawner(preload=("json",), env={**os.environ, "ONLY_IN_SPAWNER": "leaked"})
    yield warm
    warm.close()


def _wait_for_end(pid: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while _process.alive(pid, None) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _process.alive(pid, None), f"process {pid} still runs"


def test_a_forked_run_has_its_own_arguments_folder_environment_session_and_log(spawner, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PROBE_VALUE": "mine"}
    env.pop("ONLY_IN_SPAWNER", None)
    log = tmp_path / "driver.txt"
    pid = spawner.spawn(["-m", "probe_module", "0", "--flag"], env=env, cwd=work, log_path=log)
    assert pid != os.getpid()
    _wait_for_end(pid)
    lines = log.read_text().splitlines()
    assert lines == [
        "argv ['0', '--flag']",
        f"cwd {work}",
        "env mine None",  # the run's environment replaces the warm interpreter's
        "session True",  # its own session, so cancelling the run terminates its group only
        "preloaded True",
    ]


def test_two_runs_from_one_spawner_are_different_processes_and_a_failure_is_logged(spawner, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    first = spawner.spawn(["-m", "probe_module", "0"], env=env, cwd=tmp_path, log_path=tmp_path / "a.txt")
    second = spawner.spawn(["-m", "no_such_module_here"], env=env, cwd=tmp_path, log_path=tmp_path / "b.txt")
    assert first != second
    _wait_for_end(first)
    _wait_for_end(second)
    assert "No module named no_such_module_here" in (tmp_path / "b.txt").read_text()


def test_a_spawner_refuses_anything_but_a_module(spawner, tmp_path):
    with pytest.raises(ValueError, match="runs modules"):
        spawner.spawn(["script.py"], env=dict(os.environ), cwd=tmp_path, log_path=tmp_path / "log")
