"""Entry point of a sweep's controller process: ``python -m emulator.train.hyperdrive._sweep_process``."""

from __future__ import annotations

import pickle
import sys
import traceback

from emulator.core import Experiment, Run, Workspace
from emulator.train.hyperdrive._controller import SPEC_FILE, _Controller
from emulator.train.hyperdrive.run import HyperDriveRun


def main(argv: list[str]) -> int:
    """``_controller <subscription> <resource group> <workspace> <experiment> <run id>``."""
    subscription, resource_group, workspace_name, experiment_name, run_id = argv
    experiment = Experiment(Workspace(subscription, resource_group, workspace_name), experiment_name)
    hd_run = HyperDriveRun(experiment, run_id)
    spec_path = hd_run._store.artifact_path(run_id, SPEC_FILE)
    with open(spec_path, "rb") as handle:
        spec = pickle.load(handle)
    controller = _Controller(hd_run, spec)
    try:
        controller.run_sweep()
    except Exception as error:  # noqa: BLE001 - any failure ends the sweep as Failed, with its trials
        traceback.print_exc()
        controller.cancel_active("the sweep failed")
        Run.fail(hd_run, error_details=error, error_code="SweepFailed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
