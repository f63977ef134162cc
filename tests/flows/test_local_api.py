"""Which Prefect API `duel run` uses: a set URL, else a server running here, else a temporary one."""

from __future__ import annotations

import http.server
import threading
from urllib.parse import urlsplit

import pytest
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_SERVER_API_PORT,
    get_current_settings,
    temporary_settings,
)

from flows import local_api


def no_api_url_on(port: int):
    """Settings as a user's shell has them (no PREFECT_API_URL), Prefect's server port set to ``port``."""
    return temporary_settings(updates={PREFECT_SERVER_API_PORT: port}, restore_defaults={PREFECT_API_URL})


def test_a_set_api_url_is_used_as_it_is(prefect_api):
    before = get_current_settings().api.url
    with local_api.prefect_api() as api:
        api.ready()
        assert get_current_settings().api.url == before
        assert api.described == f"Prefect: {before} (PREFECT_API_URL)"


def test_a_prefect_server_running_here_is_used_instead_of_a_temporary_one(prefect_api):
    # The session's own server is a real one on 127.0.0.1: as if the user had run `prefect server start`.
    running = get_current_settings().api.url
    with no_api_url_on(urlsplit(running).port):
        assert get_current_settings().api.url is None
        with local_api.prefect_api() as api:
            api.ready()
            assert get_current_settings().api.url == running
            assert api.described == f"Prefect: the server running at {running.removesuffix('/api')}"
        assert get_current_settings().api.url is None


def test_a_port_that_answers_but_not_as_prefect_is_not_taken_for_a_server():
    class NotPrefect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    other = http.server.HTTPServer(("127.0.0.1", 0), NotPrefect)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        with no_api_url_on(other.server_port):
            assert local_api.running_local_server() is None
    finally:
        other.shutdown()


@pytest.mark.slow
def test_asked_for_a_temporary_server_the_flow_runs_on_one_that_ends_with_it(user_env, python_in, tmp_path):
    script = (
        "from flows.local_api import prefect_api\n"
        "with prefect_api(lasting=False) as api:\n"
        "    print(api.described)\n"
        "    from prefect import flow\n"
        "    from prefect.server.api.server import SubprocessASGIServer\n"
        "    api.ready()\n"
        "    server = SubprocessASGIServer()\n"
        "    print('running', server.running, server.api_url)\n"
        "    print('flow', flow(lambda: 41 + 1, name='answer')())\n"
    )
    out = python_in(user_env, "-c", script)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Prefect: a temporary server, stopped when this run ends" in out.stdout
    assert "running True http://127.0.0.1:" in out.stdout, out.stdout
    assert "flow 42" in out.stdout, out.stdout
    assert not (tmp_path / "prefect" / "server.pid").exists()
