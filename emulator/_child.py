"""Entry point of a script run's process: ``python -m emulator._child SCRIPT [ARGS...]``.

It owns the run from start to end, so a run outlives the process that submitted it: it builds the
run's environment as Azure builds its image (``Preparing``; a build that fails fails the run before
any user code), waits for a node of its cluster, runs the script under the import hook (plain ``from azureml.core
import Run`` code logs into this run), or a ``command`` run's shell line (its Python processes get
the hook too), or, for a distributed run, starts one process per rank and
watches them (``emulator.core._distributed``), uploads ``./outputs`` and ``./logs`` and records
Completed, Failed or Canceled. SIGTERM (``Run.cancel``) and ``max_run_duration_seconds`` cancel it.
"""

from __future__ import annotations

import os
import runpy
import signal
import subprocess
import sys
import sysconfig
import threading
import time
import traceback
from pathlib import Path

from emulator import hook
from emulator.core import _distributed, _process
from emulator.core._image_build import BUILD_FAILED, IMAGE_BUILD_LOG, ImageBuild, build_image
from emulator.core.compute import acquire_slot, release_slot
from emulator.core.run import DRIVER_LOG, Run

_SLOT_POLL_SECONDS = 0.5
# A sitecustomize that installs the import hook in a script run in its materialised environment,
# which sees only that environment.
_IMAGE_SITE = str(Path(__file__).resolve().parent / "_image_site")


class _Canceled(BaseException):
    """Raised in the script's thread by SIGTERM so it unwinds through its finally blocks."""


def _on_sigterm(signum, frame):
    raise _Canceled()


def _run_script(script: str, args: list[str]) -> tuple[str, dict | None]:
    """Run the script and return the final status with its error details."""
    sys.argv = [script, *args]
    sys.path.insert(0, str(Path(script).resolve().parent))
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        if exit_.code not in (None, 0):
            return "Failed", {"code": "UserError", "message": f"The script exited with code {exit_.code}"}
    except _Canceled:
        return "Canceled", None
    except BaseException as error:  # the script's own failure, reported like Azure does
        traceback.print_exc()
        return "Failed", {
            "code": "UserError",
            "message": f"{type(error).__name__}: {error}",
            "type": type(error).__name__,
        }
    return "Completed", None


def _run_command(command: str) -> tuple[str, dict | None]:
    """Run a ``command`` run's shell line; Python it starts imports ``azureml`` from the emulator
    (the run's ``PYTHONPATH`` leads with ``_launch.COMMAND_SITE``)."""
    # `python` in the command is this interpreter, as a script run's is (the environment is resolved,
    # not installed, unless DUEL_EMULATOR_BUILD_VENV materialises it for script runs).
    env = {
        **os.environ,
        "PATH": os.pathsep.join(filter(None, [str(Path(sys.executable).parent), os.environ.get("PATH")])),
    }
    # A cancel (SIGTERM to the run's group) reaches the shell too; main() turns it into Canceled.
    return _exited(["/bin/sh", "-c", command], env, "command")


def _run_in_image(python: str, script: str, args: list[str]) -> tuple[str, dict | None]:
    """Run the script with its materialised environment's interpreter (``DUEL_EMULATOR_BUILD_VENV``)."""
    env = {
        **os.environ,
        "PYTHONPATH": _IMAGE_SITE,
        "DUEL_EMULATOR_ROOT": str(Path(__file__).resolve().parent.parent),
        "DUEL_EMULATOR_SITE": os.pathsep.join(
            sorted(set(sysconfig.get_paths()[k] for k in ("purelib", "platlib")))
        ),
    }
    return _exited([python, script, *args], env, "script")


def _exited(argv: list[str], env: dict, what: str) -> tuple[str, dict | None]:
    """Run ``argv`` with the run's output and return the final status its exit code gives."""
    sys.stdout.flush()
    sys.stderr.flush()
    code = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL).returncode
    if code:
        return "Failed", {"code": "UserError", "message": f"The {what} exited with code {code}"}
    return "Completed", None


def _build_image(run: Run, definition: dict | None) -> ImageBuild | None:
    """Build the run's environment as Azure does before the script starts (Preparing); the build's
    log is the run's image-build log. None when it did not build (the run then has Failed)."""
    if definition is None:
        return ImageBuild("", True, "")
    run._set_status("Preparing")
    build = build_image(definition)
    log = run._store.artifact_path(run.id, IMAGE_BUILD_LOG)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(build.log)
    run._store.add_artifacts(run.id, [(IMAGE_BUILD_LOG, log.stat().st_size)])
    if not build.succeeded:
        run._set_status("Failed", error=dict(BUILD_FAILED))
        return None
    run._set_status("Queued")
    return build


def _start(run: Run, target: dict) -> None:
    while not acquire_slot(run.experiment.workspace, target, run.id):
        time.sleep(_SLOT_POLL_SECONDS)
    run._set_status("Starting")
    run._set_status("Running", start_time=time.time())


def _finish(run: Run, target: dict, status: str, error: dict | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.stdout.flush()
    sys.stderr.flush()
    if run.get_status() == "CancelRequested":
        status = "Canceled"
    else:
        run._set_status("Finalizing")
    try:
        run._upload_tree("outputs", Path("outputs"))
        run._upload_tree("logs", Path("logs"))
        log = run._store.artifact_path(run.id, DRIVER_LOG)
        run._store.add_artifacts(run.id, [(DRIVER_LOG, log.stat().st_size)])
    finally:
        release_slot(run.experiment.workspace, target, run.id)
        run._set_status(status, error=error)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    script, *args = argv or [None]
    hook.install()
    run = Run.get_context()
    run._store.update_run(run.id, dict(zip(("pid", "pid_started"), _process.identity(), strict=True)))
    details = run._store.get_run(run.id)["details"]
    target = details["compute"]
    signal.signal(signal.SIGTERM, _on_sigterm)
    limit = details["runDefinition"].get("maxRunDurationSeconds")
    timer = threading.Timer(limit, os.kill, (os.getpid(), signal.SIGTERM)) if limit else None
    try:
        image = _build_image(run, details["runDefinition"].get("environment"))
        if image is None:
            return 1
        _start(run, target)
        if timer is not None:
            timer.daemon = True
            timer.start()
        layout = _distributed.from_record(details["runDefinition"].get("distributed"))
        command = details["runDefinition"].get("command")
        if command:
            status, error = _run_command(command)
        elif layout:
            status, error = _distributed.run_ranks(run, layout, script, args)
        elif image.python:
            status, error = _run_in_image(image.python, script, args)
        else:
            status, error = _run_script(script, args)
    except _Canceled:
        status, error = "Canceled", None
    if (
        timer is not None
        and not timer.is_alive()
        and status == "Canceled"
        and run.get_status() != "CancelRequested"
    ):
        error = {"code": "RunTimeout", "message": f"The run exceeded max_run_duration_seconds={limit}"}
    _finish(run, target, status, error)
    return 0 if status == "Completed" else 1


if __name__ == "__main__":
    sys.exit(main())
