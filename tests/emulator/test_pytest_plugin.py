"""The pytest plugin other projects get: SDK v1 imports resolve to the emulator, in a fresh workspace."""

from __future__ import annotations

import os
import sys


def test_sdk_code_logs_into_a_fresh_emulated_workspace(azureml_emulated, emulator_workspace):
    from azureml.core import Experiment, Run

    run = Experiment(emulator_workspace, "unit").start_logging()
    run.log("mae", 27_000.0)
    run.complete()
    assert type(run).__module__.startswith("emulator.")
    assert Run.get(emulator_workspace, run.id).get_metrics() == {"mae": 27_000.0}
    assert os.environ["DUEL_EMULATOR_HOME"] in str(emulator_workspace._folder)


def test_hook_is_gone_after_the_test():
    assert "azureml.core" not in sys.modules or not sys.modules["azureml.core"].__name__.startswith(
        "emulator"
    )
