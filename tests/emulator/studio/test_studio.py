"""Fast checks of the studio on a per-test workspace: links, secrets, the command's errors."""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from emulator.cli import app as cli
from emulator.studio import app as studio_app
from emulator.studio import create_app, studio_url


def test_studio_url_points_at_the_runs_page():
    assert studio_url("HD_1234_0", "http://127.0.0.1:8765") == "http://127.0.0.1:8765/#/runs/HD_1234_0"
    assert studio_url("HD_1234_0", "http://127.0.0.1:8765/") == "http://127.0.0.1:8765/#/runs/HD_1234_0"
    # an id with characters that would break the fragment is escaped, as the page decodes it
    assert studio_url("a/b c", "http://h:1/").endswith("#/runs/a%2Fb%20c")
    with pytest.raises(ValueError, match="run id"):
        studio_url("", "http://h:1/")


def test_secrets_are_never_shown(workspace, experiment):
    run = experiment.start_logging()
    run.set_tags({"api_key": "tag-secret-1", "owner": "me"})
    run.add_properties({"storage_connection_string": "prop-secret-2", "note": "visible"})
    run.complete()
    workspace._store.put_asset(
        "webservice",
        "svc",
        {
            "name": "svc",
            "state": "Healthy",
            "scoringUri": "http://127.0.0.1:1/score",
            "tags": {"token": "svc-secret-3"},
        },
    )
    client = TestClient(create_app(workspace), base_url="http://127.0.0.1")
    pages = [client.get(p).text for p in ("/api/runs", f"/api/runs/{run.id}", "/api/services", "/api/models")]
    assert not any(
        secret in page for page in pages for secret in ("tag-secret-1", "prop-secret-2", "svc-secret-3")
    )
    shown = client.get(f"/api/runs/{run.id}").json()
    assert shown["tags"]["owner"] == "me" and shown["properties"]["note"] == "visible"
    assert shown["tags"]["api_key"] != "tag-secret-1"


def test_workspace_summary_says_when_the_chart_library_is_missing(workspace, monkeypatch, tmp_path):
    client = TestClient(create_app(workspace), base_url="http://127.0.0.1")
    assert client.get("/api/workspace").json()["chart_library"] is True
    monkeypatch.setattr(studio_app, "CHART_LIBRARY", tmp_path / "absent.js")
    assert client.get("/api/workspace").json()["chart_library"] is False


def test_requests_for_another_host_name_are_refused(workspace):
    # a page whose domain was re-pointed at 127.0.0.1 sends its own name as the Host
    client = TestClient(create_app(workspace), base_url="http://rebound.example")
    assert client.get("/api/runs").status_code == 400


def test_writes_need_a_json_body(workspace, experiment, as_page):
    run = experiment.start_logging()
    client = as_page(TestClient(create_app(workspace), base_url="http://127.0.0.1"))
    response = client.post(f"/api/runs/{run.id}/cancel", content=b"x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert run.get_status() == "Running"
    run.complete()


def test_studio_command_says_when_its_port_is_taken(workspace):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["studio", "--workspace", workspace.name, "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot serve on 127.0.0.1:{port}" in result.output
    assert (
        CliRunner().invoke(cli, ["studio", "--workspace", workspace.name, "--port", "70000"]).exit_code == 2
    )
