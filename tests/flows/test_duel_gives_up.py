"""`duel run --quick` whose AutoML budget is too small for any model, as a person runs it: one line,
no traceback, a non-zero exit, and no run of its left running."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from emulator.core import Workspace
from emulator.store import TERMINAL_STATUSES

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_an_automl_budget_too_small_for_any_model_ends_in_one_line_with_every_run_cancelled(
    user_env, tmp_path, monkeypatch
):
    home = tmp_path / "emulator"
    env = {**user_env, "DUEL_EMULATOR_HOME": str(home), "DUEL_DEPLOY_TARGET": "none"}
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--quick", "--temporary-server"]
        + ["--automl-timeout-minutes", "0.001"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    printed = done.stdout + done.stderr
    assert done.returncode != 0, printed[-3000:]
    assert "Traceback" not in printed and "NoneType: None" not in printed, printed[-3000:]
    said = [line for line in done.stderr.splitlines() if line.startswith("duel: ")]
    assert len(said) == 1 and "automl_timeout_minutes" in said[0], printed[-3000:]
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(home))
    runs = Workspace("local", "automl-duel", "duel")._store.search_runs()
    assert len(runs) > 2  # the split's, AutoML's and the sweep's runs
    assert [(r["run_id"], r["status"]) for r in runs if r["status"] not in TERMINAL_STATUSES] == []
