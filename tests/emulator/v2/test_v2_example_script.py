"""Done-when check of the v2 surface: the plain v2 script in examples/v2_offline (no emulator import)
runs offline to its end after ``emulator env --v2``: command job with MLflow, sweep, AutoML, model
from the best trial, managed online endpoint, invoke."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.emulator.conftest import REPO


def test_the_plain_v2_example_runs_offline_to_the_end(v2_shell):
    environment, folder = v2_shell
    shutil.copytree(REPO / "examples" / "v2_offline", folder, dirs_exist_ok=True)
    script = (folder / "run.py").read_text()
    assert "import emulator" not in script and "from emulator" not in script
    done = subprocess.run(
        [sys.executable, "run.py"], cwd=folder, env=environment, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "best trial:" in done.stdout and "{'alpha': '0.01'}" in done.stdout
    prediction = float(done.stdout.split("prediction for a=1, b=0.5:")[1].split()[0])
    assert abs(prediction - 2.0) < 0.2  # y = 3a - 2b, learnt by the best trial's ridge model
