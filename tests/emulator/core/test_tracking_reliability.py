"""Many processes logging into one workspace at once lose nothing and never see a locked database."""

from __future__ import annotations

import subprocess
import sys

import pytest

from emulator.core import Run

WRITER = """
import sys
from emulator.core import Run, Workspace
run = Run.get(Workspace("s", "rg", sys.argv[1]), sys.argv[2])
for i in range(10_000):
    run.log(f"m{sys.argv[3]}", i, step=i)
"""


@pytest.mark.slow
def test_eight_processes_log_ten_thousand_metrics_each(workspace, experiment):
    run = experiment.start_logging()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, workspace.name, run.id, str(p)], stderr=subprocess.PIPE
        )
        for p in range(8)
    ]
    errors = [p.communicate(timeout=300)[1].decode() for p in processes]
    assert all(p.returncode == 0 for p in processes), errors
    assert not any("database is locked" in e for e in errors)
    rows = Run.get(workspace, run.id)._get_metric_rows()
    assert len(rows) == 80_000
    for p in range(8):
        assert [r["step"] for r in rows if r["name"] == f"m{p}"] == list(range(10_000))
