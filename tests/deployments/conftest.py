"""A real `prefect server start` of our own (own PREFECT_HOME, a free port), as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from emulator.serving.process import free_port

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))


@pytest.fixture
def prefect_server(tmp_path):
    """The environment of a shell pointed at a fresh server (PREFECT_API_URL and the UI's API URL)."""
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        # On any port but 4200 the UI must be told where its API is, or it shows only an error page.
        "PREFECT_UI_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail(f"prefect server did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
        yield env
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _run_prefect(env, *args, timeout=300) -> str:
    # A shell in the repository root: prefect.yaml's "{{ $PWD }}" is read from the environment.
    env = {**env, "PWD": str(ROOT)}
    out = subprocess.run([PREFECT, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, (
        f"prefect {' '.join(args)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    )
    return out.stdout + out.stderr


@pytest.fixture
def prefect_cli():
    """``prefect_cli(env, *args)``: the `prefect` command run from the repository root as a user types it;
    a non-zero exit fails the test with its output."""
    return _run_prefect
