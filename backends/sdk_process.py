"""The SDK v1 steps run in another interpreter, called as if they were the modules themselves.

The azure backend cannot import ``azureml`` here: the SDK's AutoML client pins packages Prefect
cannot live with, so the SDK has its own environment (``.venv-azure``). :class:`SdkProcess` stands
where :mod:`backends.sdk_v1` stands for the emulator backend: ``sdk.jobs.run_automl(ref, job,
on_progress)`` starts ``<python> -m backends.sdk_v1.step``, sends the step's name, the workspace
reference and the messages as JSON, relays progress to ``on_progress`` and returns the decoded
answer, or raises :class:`StepError` with the step's one-line error.

Both sides import this module, so it uses only the standard library and :mod:`backends.messages`.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from backends import messages

STEP_MODULE = "backends.sdk_v1.step"
PROGRESS = {"__progress__": True}  # stands for the on_progress callback in a request's arguments
_TAIL_LINES = 20


class StepError(RuntimeError):
    """A step failed in the SDK's interpreter; ``kind`` is the exception's class name there."""

    def __init__(self, step: str, kind: str, message: str):
        super().__init__(f"{step}: {kind}: {message}")
        self.step = step
        self.kind = kind


def one_line(error: BaseException) -> str:
    """An exception's message on one line (the SDK's own ``message``, without its JSON dump)."""
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    return " ".join(str(text).split())


def encode(value: Any) -> Any:
    """Plain JSON data for a message, a tuple or list of them, or any JSON value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__message__": type(value).__name__, "fields": dataclasses.asdict(value)}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    return value


def decode(data: Any) -> Any:
    """The value :func:`encode` wrote (lists come back as tuples, as the messages hold them)."""
    if isinstance(data, dict) and "__message__" in data:
        return messages._build(getattr(messages, data["__message__"]), data["fields"])
    if isinstance(data, list):
        return tuple(decode(item) for item in data)
    return data


class SdkProcess:
    """``backends.sdk_v1`` in the interpreter ``command`` starts (``[python]`` or a wrapper of it)."""

    def __init__(self, command: Sequence[str], cwd: str | Path, env: dict[str, str] | None = None):
        self.command = [*command, "-m", STEP_MODULE]
        self.cwd = str(cwd)
        self.env = env

    def __getattr__(self, module: str) -> _Module:
        if module.startswith("_"):
            raise AttributeError(module)
        return _Module(self, module)

    def call(self, step: str, workspace: messages.WorkspaceRef, *args: Any) -> Any:
        """Run ``step`` on ``workspace``; a callable argument receives the step's progress."""
        callbacks = [arg for arg in args if callable(arg)]
        request = {
            "step": step,
            "workspace": encode(workspace),
            "args": [PROGRESS if callable(arg) else encode(arg) for arg in args],
        }
        with tempfile.TemporaryFile("w+") as log:
            process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
            process.stdin.write(json.dumps(request))
            process.stdin.close()
            outcome = None
            for line in process.stdout:
                message = _protocol_line(line)
                if message is None:
                    continue
                if "progress" in message:
                    for callback in callbacks:
                        callback(decode(message["progress"]))
                else:
                    outcome = message
            code = process.wait()
            if outcome is None:
                log.seek(0)
                tail = log.read().strip().splitlines()[-_TAIL_LINES:]
                raise StepError(
                    step,
                    "NoAnswer",
                    f"{' '.join(self.command)} exited with code {code} without an answer: "
                    + (" | ".join(tail) or "no output"),
                )
        if "error" in outcome:
            raise StepError(step, outcome["error"]["type"], outcome["error"]["message"])
        return decode(outcome["answer"])


def _protocol_line(line: str) -> dict | None:
    """A protocol message, or None for anything else a library wrote to stdout before the step began."""
    try:
        message = json.loads(line)
    except json.JSONDecodeError:
        return None
    return message if isinstance(message, dict) and message.keys() & {"progress", "answer", "error"} else None


class _Module:
    """One module of ``backends.sdk_v1`` across the process boundary."""

    def __init__(self, process: SdkProcess, name: str):
        self._process = process
        self._name = name

    def __getattr__(self, function: str) -> Callable[..., Any]:
        if function.startswith("_"):
            raise AttributeError(function)
        return lambda workspace, *args: self._process.call(f"{self._name}.{function}", workspace, *args)
