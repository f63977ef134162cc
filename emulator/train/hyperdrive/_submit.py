"""Submitting a sweep: record its configuration on a new ``HyperDriveRun`` and start its controller.

``HyperDriveConfig._submit_to`` calls :func:`_submit_sweep`; the controller runs in its own process
(``_sweep_process``), whose id is the HyperDrive run's.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys
import uuid
from pathlib import Path

import emulator
from emulator.core import _process
from emulator.core.workspace import emulator_home
from emulator.train.hyperdrive._controller import SPEC_FILE, _SweepSpec
from emulator.train.hyperdrive._executors import _LocalProcessExecutor, _TrialExecutor
from emulator.train.hyperdrive.exceptions import HyperDriveConfigException
from emulator.train.hyperdrive.run import _SYSTEM, CONTROLLER_LOG, HyperDriveRun


def _run_id_of(run) -> str:
    return run if isinstance(run, str) else run.id


def _record_config(config, resume_from: list[str]) -> tuple[dict, dict]:
    """The tags and properties the SDK records on a sweep's parent run."""
    limits = {
        "max_concurrent_jobs": config._max_concurrent_runs,
        "max_total_jobs": config._max_total_runs,
        "max_duration_minutes": config._max_duration_minutes,
    }
    configs = {
        "policy_config": json.dumps(config._policy_config),
        "generator_config": json.dumps(config._generator_config),
        "primary_metric_config": json.dumps(config._primary_metric_config),
        "platform_config": json.dumps(config._platform_config),
    }
    tags = {f"{_SYSTEM}{k}": str(v) for k, v in {**limits, **configs}.items()}
    tags[f"{_SYSTEM}cancellation_requested"] = "false"
    properties = {
        "primary_metric_config": configs["primary_metric_config"],
        "generator_config": configs["generator_config"],
        "policy_config": configs["policy_config"],
        "resume_from": json.dumps(resume_from or None),
        "runTemplate": "HyperDrive",
        "azureml.runsource": "hyperdrive",
        "platform": "AML",
    }
    return tags, properties


def _start_controller(hd_run: HyperDriveRun) -> None:
    workspace = hd_run.experiment.workspace
    package_root = str(Path(emulator.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "DUEL_EMULATOR_HOME": str(emulator_home()),
        "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])),
        "PYTHONUNBUFFERED": "1",
    }
    log_path = hd_run._store.artifact_path(hd_run.id, CONTROLLER_LOG)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    hd_run._store.add_artifacts(hd_run.id, [(CONTROLLER_LOG, 0)])
    argv = [
        str(workspace.subscription_id),
        str(workspace.resource_group),
        workspace.name,
        hd_run.experiment.name,
    ]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "emulator.train.hyperdrive._sweep_process", *argv, hd_run.id],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pid, started = _process.identity(process.pid)
    hd_run._store.update_run(hd_run.id, {"pid": pid, "pid_started": started})


def _submit_sweep(config, experiment, tags=None, _trial_executor: _TrialExecutor | None = None, **kwargs):
    """Validate, record and start a sweep; returns its ``HyperDriveRun`` at once.

    ``_trial_executor`` (private) picks where trials run, e.g. ``_DaskExecutor(address)``.
    """
    config._validate_for_submit()
    if not hasattr(config.run_config, "script"):
        raise HyperDriveConfigException("run_config expects a ScriptRunConfig.")
    resume_from = [_run_id_of(r) for r in config._resume_from]
    resume_child_runs = [_run_id_of(r) for r in config._resume_child_runs]
    system_tags, properties = _record_config(config, resume_from)
    hd_run = HyperDriveRun._create(
        experiment,
        run_type=HyperDriveRun.RUN_TYPE,
        run_id=config._custom_run_id or f"HD_{uuid.uuid4()}",
        status="Running",
        tags={**system_tags, **(tags or {})},
        properties=properties,
        hyperdrive_config=config,
    )
    stored = copy.copy(config)
    stored._resume_from, stored._resume_child_runs = resume_from, resume_child_runs
    spec = _SweepSpec(stored, resume_from, resume_child_runs, _trial_executor or _LocalProcessExecutor())
    spec_path = hd_run._store.artifact_path(hd_run.id, SPEC_FILE)
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    spec_path.write_bytes(pickle.dumps(spec))
    _start_controller(hd_run)
    return hd_run
