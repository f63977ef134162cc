"""One SDK v1 step in this interpreter: the half of the azure backend that lives beside the SDK.

``python -m backends.sdk_v1.step`` (in ``.venv-azure``, from the repository root) reads one JSON
request on stdin::

    {"step": "jobs.run_automl", "workspace": <WorkspaceRef>, "args": [<message>, ...]}

connects to the workspace (headless credentials, see :mod:`backends.credentials`), calls
``backends.sdk_v1.jobs.run_automl(workspace, *args)`` and writes JSON lines on stdout:
``{"progress": <Progress>}`` while a job runs, then ``{"answer": <value>}`` or
``{"error": {"type": ..., "message": ...}}`` (one line, no traceback). Whatever the SDK prints
goes to stderr, so stdout carries only this protocol.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from typing import IO

from backends.sdk_process import PROGRESS, decode, encode, one_line
from backends.sdk_v1 import workspace

STEP_MODULES = ("datasets", "environments", "jobs", "models", "runs", "services", "workspace")


def _claim_stdout() -> IO[str]:
    """The protocol's own stream; file descriptor 1 (and ``print``) now go to stderr."""
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol


def _send(protocol: IO[str], message: dict) -> None:
    protocol.write(json.dumps(message) + "\n")
    protocol.flush()


def _function(step: str):
    module, _, name = step.partition(".")
    if module not in STEP_MODULES or not name or name.startswith("_"):
        raise ValueError(
            f"unknown step {step!r}: a public function of backends.sdk_v1.{{{','.join(STEP_MODULES)}}}"
        )
    return getattr(importlib.import_module(f"backends.sdk_v1.{module}"), name)


def serve(request: dict, protocol: IO[str]) -> int:
    """Run the request's step and answer it; the exit status is 0 for an answer, 1 for an error."""
    try:
        function = _function(request["step"])
        ws = workspace.connect(decode(request["workspace"]))
        args = [
            (lambda progress: _send(protocol, {"progress": encode(progress)}))
            if arg == PROGRESS
            else decode(arg)
            for arg in request["args"]
        ]
        answer = function(ws, *args)
    except Exception as error:  # every failure goes back as one line; the caller raises it
        _send(protocol, {"error": {"type": type(error).__name__, "message": one_line(error)}})
        return 1
    _send(protocol, {"answer": encode(answer)})
    return 0


def main() -> int:
    protocol = _claim_stdout()
    return serve(json.load(sys.stdin), protocol)


if __name__ == "__main__":
    sys.exit(main())
