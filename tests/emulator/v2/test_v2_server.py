"""The v2 server at its HTTP boundary: tokens only from its identity endpoint, Azure's error codes."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

import pytest

from emulator.v2 import V2Server


@pytest.fixture
def server(workspace, tmp_path):
    served = V2Server(workspace, tmp_path / "tls")
    yield served
    served.close()


def _call(server, method: str, path: str, body=None, headers=None) -> tuple[int, dict]:
    context = ssl.create_default_context(cafile=str(server.ca_file))
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{server.url}{path}", data=data, method=method, headers=headers or {})
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
    )
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _token(server) -> str:
    header = {"X-IDENTITY-HEADER": server.environment()["IDENTITY_HEADER"]}
    status, body = _call(
        server, "GET", "/msi/token?api-version=2019-08-01&resource=https://ml.azure.emulator", headers=header
    )
    assert status == 200
    return body["access_token"]


def test_identity_endpoint_refuses_a_wrong_identity_header(server):
    status, body = _call(server, "GET", "/msi/token?resource=x", headers={"X-IDENTITY-HEADER": "guess"})
    assert status == 401


def test_workspace_refuses_a_token_it_did_not_issue(server):
    status, body = _call(server, "GET", server.surface.arm, headers={"Authorization": "Bearer made-up"})
    assert (status, body["error"]["code"]) == (401, "InvalidAuthenticationToken")


def test_workspace_answers_an_issued_token_with_its_discovery_url(server):
    status, body = _call(
        server, "GET", server.surface.arm, headers={"Authorization": f"Bearer {_token(server)}"}
    )
    assert status == 200
    assert body["properties"]["discoveryUrl"] == f"{server.url}/discovery"


def test_missing_compute_is_resource_not_found(server):
    auth = {"Authorization": f"Bearer {_token(server)}"}
    status, body = _call(server, "GET", f"{server.surface.arm}/computes/nowhere", headers=auth)
    assert (status, body["error"]["code"]) == (404, "ResourceNotFound")


def test_command_using_an_undefined_input_is_a_user_error(server, tmp_path):
    auth = {"Authorization": f"Bearer {_token(server)}"}
    job = {"properties": {"jobType": "Command", "command": "python x.py ${{inputs.rate}}", "inputs": {}}}
    status, body = _call(server, "PUT", f"{server.surface.arm}/jobs/job-1", job, auth)
    assert (status, body["error"]["code"]) == (400, "UserError")
    assert "inputs.rate" in body["error"]["message"]


def test_an_mlflow_artifact_path_leaving_its_run_is_a_user_error_and_writes_nothing(
    server, workspace, tmp_path
):
    from emulator.core import Experiment

    run = Experiment(workspace, "escape").start_logging()
    root = f"/mlflow/v1.0{server.surface.arm}/api/2.0/mlflow-artifacts/artifacts"
    headers = {"Authorization": f"Bearer {_token(server)}"}
    status, body = _call(
        server, "PUT", f"{root}/{run.id}/artifacts/../../../../escaped.txt", body="x", headers=headers
    )
    assert (status, body["error"]["code"]) == (400, "UserError")
    assert not list(workspace._store.root.parent.rglob("escaped.txt"))
    run.complete()
