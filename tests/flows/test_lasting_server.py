"""The Prefect server `duel run` starts to last: found by later runs, stopped by `prefect server stop`."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import threading
from pathlib import Path

import httpx
import prefect
import psutil
import pytest

from emulator.serving.process import free_port
from flows import lasting_server

RUN_A_FLOW = (
    "from flows.local_api import prefect_api\n"
    "with prefect_api() as api:\n"
    "    print(api.described)\n"
    "    from prefect import flow\n"
    "    api.ready()\n"
    "    print('flow', flow(lambda: 41 + 1, name='answer')())\n"
)


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.slow
def test_a_run_starts_a_server_that_outlives_it_and_the_next_run_finds_it_running(user_env, python_in):
    home = Path(user_env["PREFECT_HOME"])
    api = f"http://127.0.0.1:{user_env['PREFECT_SERVER_API_PORT']}/api"
    home.mkdir()
    # Left by a server that is gone (a reboot): no lock for the next start.
    (home / lasting_server.PID_FILE).write_text(str(_dead_pid()))

    first = python_in(user_env, "-c", RUN_A_FLOW)
    assert first.returncode == 0, first.stderr[-3000:]
    assert f"Prefect: started a server at {api.removesuffix('/api')} that stays up" in first.stdout
    assert "flow 42" in first.stdout
    pid = int((home / lasting_server.PID_FILE).read_text())
    assert lasting_server._alive(pid) and lasting_server.healthy(api)
    # Its UI and API keep the run after the process that started it has gone.
    runs = httpx.post(f"{api}/flow_runs/filter", json={}, timeout=10).json()
    assert [run["state_type"] for run in runs] == ["COMPLETED"]

    second = python_in(user_env, "-c", RUN_A_FLOW)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"Prefect: the server running at {api.removesuffix('/api')}" in second.stdout
    assert int((home / lasting_server.PID_FILE).read_text()) == pid
    assert len(httpx.post(f"{api}/flow_runs/filter", json={}, timeout=10).json()) == 2

    stopped = python_in(user_env, "-m", "prefect", "server", "stop")
    assert stopped.returncode == 0, stopped.stderr[-3000:]
    assert not (home / lasting_server.PID_FILE).exists()
    assert not lasting_server.healthy(api)


def test_a_port_taken_by_something_else_is_left_alone(tmp_path):
    other = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        assert lasting_server.start(tmp_path, "127.0.0.1", other.server_port) is None
    finally:
        other.shutdown()
    assert not (tmp_path / lasting_server.PID_FILE).exists()


def test_a_run_adopts_the_server_another_run_is_still_starting(tmp_path):
    # A live process holds the pid file: that run's server is on its way; a second one would clash.
    (tmp_path / lasting_server.PID_FILE).write_text(str(os.getpid()))
    server = lasting_server.start(tmp_path, "127.0.0.1", free_port())
    assert server is not None and not server.started_here and server.pid == os.getpid()


def test_a_server_that_exits_while_starting_is_reported_with_its_log(tmp_path, monkeypatch):
    # A database Prefect cannot open: the server process ends during its start-up.
    monkeypatch.setenv(
        "PREFECT_API_DATABASE_CONNECTION_URL", f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/x.db"
    )
    server = lasting_server.start(tmp_path / "home", "127.0.0.1", free_port())
    assert server is not None and server.started_here
    with pytest.raises(
        lasting_server.ServerStartError,
        match=r"(?s)exited while starting; the end of .*server.log:\n.*unable to open database file",
    ):
        server.wait_healthy(timeout_s=120)
    assert (tmp_path / "home" / lasting_server.LOG_FILE).read_text().strip()


def test_a_server_bound_to_every_interface_is_reached_on_loopback(tmp_path):
    (tmp_path / lasting_server.PID_FILE).write_text(str(os.getpid()))
    port = free_port()
    server = lasting_server.start(tmp_path, "0.0.0.0", port)
    assert server is not None and server.api_url == f"http://127.0.0.1:{port}/api"


class _PrefectOf(http.server.BaseHTTPRequestHandler):
    """A server answering Prefect's health and version routes for a given version."""

    version = "2.20.0"

    def do_GET(self):
        body = {"/api/health": "true", "/api/admin/version": json.dumps(self.version)}.get(self.path)
        self.send_response(200 if body else 404)
        self.end_headers()
        self.wfile.write((body or "").encode())

    def log_message(self, *args):
        pass


def test_the_lasting_server_of_another_prefect_version_is_found_and_stopped(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _PrefectOf)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # The process the pid file names: what `prefect server stop` would signal.
    holder = subprocess.Popen(["sleep", "60"])
    (tmp_path / lasting_server.PID_FILE).write_text(str(holder.pid))
    api = f"http://127.0.0.1:{server.server_port}/api"
    try:
        assert lasting_server.other_prefect_version(tmp_path, api) == "2.20.0"
        _PrefectOf.version = prefect.__version__
        assert lasting_server.other_prefect_version(tmp_path, api) is None
        lasting_server.stop(tmp_path)
        assert not psutil.pid_exists(holder.pid)
        assert not (tmp_path / lasting_server.PID_FILE).exists()
        # A server of another version that this home did not start (no pid file) is left alone.
        _PrefectOf.version = "2.20.0"
        assert lasting_server.other_prefect_version(tmp_path, api) is None
    finally:
        server.shutdown()
        holder.kill()


def test_a_pid_file_naming_no_process_is_not_taken_for_a_server_being_started(tmp_path):
    # kill(0, 0) would succeed (it signals this process's group): 0 must read as no pid at all.
    (tmp_path / lasting_server.PID_FILE).write_text("0")
    other = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    try:
        assert lasting_server.start(tmp_path, "127.0.0.1", other.server_port) is None
    finally:
        other.server_close()
    assert not (tmp_path / lasting_server.PID_FILE).exists()
