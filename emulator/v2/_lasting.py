"""The v2 server that outlives the command that started it: one per workspace, found again through
its state file, started detached when none answers."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ..core.workspace import emulator_home

_START_SECONDS = 60.0


def state_file(workspace: str) -> Path:
    """Where the server of ``workspace`` records its pid, URL and environment."""
    return emulator_home() / workspace / "v2-server.json"


def _answers(state: dict) -> bool:
    context = ssl.create_default_context(cafile=state["environment"]["REQUESTS_CA_BUNDLE"])
    try:
        with urllib.request.urlopen(f"{state['url']}/discovery", context=context, timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False


def ensure(workspace: str) -> dict:
    """The state of the running v2 server of ``workspace``, started first if none answers.

    Args:
        workspace: an existing emulator workspace's name.

    Returns:
        The server's state: ``pid``, ``url``, ``environment`` (variable -> value) and ``config``.
    """
    path = state_file(workspace)
    if path.exists():
        state = json.loads(path.read_text())
        if _answers(state):
            return state
        path.unlink()
    log = (emulator_home() / workspace / "v2-server.log").open("ab")
    subprocess.Popen(
        [sys.executable, "-m", "emulator.v2", "--workspace", workspace, "--state", str(path)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,  # outlives the shell command that started it
        env={**os.environ, "DUEL_EMULATOR_HOME": str(emulator_home())},
    )
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        time.sleep(0.1)
    raise TimeoutError(
        f"the v2 server of {workspace} did not start in {_START_SECONDS:.0f}s (see {log.name})"
    )
