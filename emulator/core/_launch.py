"""Start a script run as a real subprocess (used by ScriptRunConfig and the HyperDrive controller).

The launcher snapshots the source directory into the run's working folder and starts
``python -m emulator._child``, which owns the run from then on: it waits for a node of the
cluster, runs the script, uploads ``outputs/`` and ``logs/`` and records the final status. The run
therefore survives the launching process; a thread here only reaps the process and fails the run
if it died without reporting.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

import emulator

from ..exceptions import UserErrorException
from . import _distributed, _process
from ._warm import WarmSpawner
from .compute import resolve_target
from .run import DRIVER_LOG, Run, _reap
from .workspace import emulator_home

_FORKED_POLL_SECONDS = 0.2
# Holds a sitecustomize that installs the import hook in every Python a run starts: the script,
# its ranks, its worker processes and a command run's programs all import azureml from the emulator.
COMMAND_SITE = str(Path(emulator.__file__).resolve().parent / "_command_site")
_SNAPSHOT_LIMIT_BYTES = 300 * 1024 * 1024
_NEVER_SNAPSHOT = (
    ".git",
    "__pycache__",
    ".venv",
    "venv",
    ".azureml-emulator",
    "outputs",
    "logs",
    "*.pyc",
    ".*_cache",
)


def _snapshot(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` minus caches, virtualenvs and ``.amlignore`` patterns (300 MB cap)."""
    patterns = list(_NEVER_SNAPSHOT)
    amlignore = source / ".amlignore"
    if amlignore.is_file():
        patterns += [
            p.strip().rstrip("/")
            for p in amlignore.read_text().splitlines()
            if p.strip() and not p.startswith("#")
        ]
    copied = 0

    def ignore(_folder, names):
        return {n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)}

    def copy(src, dst):
        nonlocal copied
        copied += os.path.getsize(src)
        if copied > _SNAPSHOT_LIMIT_BYTES:
            raise UserErrorException(
                f"The snapshot of {source} exceeds the limit of 300 MB; add large files to .amlignore"
            )
        return shutil.copy2(src, dst)

    shutil.copytree(source, target, ignore=ignore, copy_function=copy)


def _child_environment(workspace, run: Run, target: dict, environment_variables: dict) -> dict:
    package_root = str(Path(emulator.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        **{k: str(v) for k, v in environment_variables.items()},
        "AZUREML_RUN_ID": run.id,
        "AZUREML_EXPERIMENT_NAME": run.experiment.name,
        "AZUREML_ARM_WORKSPACE_NAME": workspace.name,
        "AZUREML_ARM_SUBSCRIPTION": str(workspace.subscription_id),
        "AZUREML_ARM_RESOURCEGROUP": str(workspace.resource_group),
        "DUEL_EMULATOR_HOME": str(emulator_home()),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [COMMAND_SITE, package_root, os.environ.get("PYTHONPATH")])
        ),
        "PYTHONUNBUFFERED": "1",
    }
    if not target["gpu"]:
        env["CUDA_VISIBLE_DEVICES"] = ""
    return env


def _validate(config) -> Path:
    source = Path(config.source_directory or ".").resolve()
    if not source.is_dir():
        raise UserErrorException(f"source_directory {source} does not exist or is not a folder")
    if config.command:
        if config.script or config.arguments:
            raise UserErrorException("ScriptRunConfig takes either command or script and arguments, not both")
        if _distributed.layout_of(config.run_config):
            raise UserErrorException(
                "A distributed run takes script= and arguments= in the emulator, not command="
            )
        return source
    if not config.script:
        raise UserErrorException(
            "ScriptRunConfig needs a script (the entry script inside source_directory) or a command"
        )
    if not (source / config.script).is_file():
        raise UserErrorException(f"Script {config.script} was not found in source_directory {source}")
    return source


def _command_line(command, extra: list) -> str | None:
    """The shell line a ``command`` run executes: a list is joined by spaces as the SDK joins it;
    a sweep's hyperparameters (``extra``) follow it, quoted."""
    if not command:
        return None
    line = command if isinstance(command, str) else " ".join(str(part) for part in command)
    return " ".join([line, *(shlex.quote(str(part)) for part in extra)])


def start_script_run(
    experiment,
    config,
    *,
    parent=None,
    arguments=None,
    run_id=None,
    tags=None,
    properties=None,
    spawner: WarmSpawner | None = None,
) -> Run:
    """Create a Queued run for ``config`` and start its process (forked by ``spawner`` if given);
    returns at once."""
    source = _validate(config)
    workspace = experiment.workspace
    target = resolve_target(workspace, config.run_config.target)
    command = _command_line(config.command, arguments or [])
    args = [] if command else [str(a) for a in [*config.arguments, *(arguments or [])]]
    environment = config.run_config.environment
    layout = _distributed.layout_of(config.run_config)
    if layout and target["maxNodes"] is not None and layout.node_count > target["maxNodes"]:
        raise UserErrorException(
            f"The run asks for {layout.node_count} nodes but cluster {target['target']} has at most "
            f"{target['maxNodes']}"
        )
    run = Run._create(
        experiment,
        run_type="azureml.scriptrun",
        parent=parent,
        run_id=run_id,
        status="Queued",
        tags=tags,
        properties=properties,
        details={
            "target": target["target"],
            "compute": target,
            "runDefinition": {
                "script": config.script,
                "arguments": args,
                "command": command,
                "sourceDirectory": str(source),
                "target": target["target"],
                "environment": environment._to_dict(),
                "maxRunDurationSeconds": config.max_run_duration_seconds,
                "nodeCount": layout.node_count if layout else 1,
                "distributed": _distributed.as_record(layout) if layout else None,
            },
            "emulator": f"the environment's image is resolved before the script, which runs in {sys.executable}",
        },
    )
    working = workspace._store.folder("runs", run.id)
    _snapshot(source, working)
    start_run_process(
        run,
        ["-m", "emulator._child", *([] if command else [config.script, *args])],
        cwd=working,
        env=_child_environment(workspace, run, target, environment.environment_variables),
        spawner=spawner,
    )
    return run


def start_run_process(
    run,
    arguments: list[str],
    *,
    env: dict[str, str],
    cwd: Path | None = None,
    spawner: WarmSpawner | None = None,
) -> None:
    """Start ``python <arguments>`` as ``run``'s process: its own session, output into the driver log,
    its pid on the run (so any process can cancel it), and a reaper that records how it ended.
    A ``spawner`` forks the process from its warm interpreter instead of starting a fresh one."""
    store = run._store
    log_path = store.artifact_path(run.id, DRIVER_LOG)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    store.add_artifacts(run.id, [(DRIVER_LOG, 0)])
    if spawner is not None:
        pid = spawner.spawn(arguments, env=env, cwd=cwd, log_path=log_path)
        ended = functools.partial(_forked_end, *_identity_or_none(pid))
    else:
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, *arguments],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        pid, ended = process.pid, process.wait
    # The child records its own identity too; this covers a child that dies before it can.
    with contextlib.suppress(psutil.Error):
        store.update_run(run.id, dict(zip(("pid", "pid_started"), _process.identity(pid), strict=True)))
    threading.Thread(target=_wait, args=(ended, store, run.id), daemon=True).start()


def _identity_or_none(pid: int) -> tuple[int, float | None]:
    try:
        return _process.identity(pid)
    except psutil.Error:  # it has already ended
        return pid, None


def _forked_end(pid: int, started: float | None) -> None:
    """Wait for a process that is not our child (a warm interpreter forked it)."""
    while started is not None and _process.alive(pid, started):
        time.sleep(_FORKED_POLL_SECONDS)


def _wait(ended: Callable[[], object], store, run_id: str) -> None:
    """Wait until the process ended; fail (or cancel) the run if it did not record a final status."""
    ended()
    _reap(store, store.get_run(run_id))
