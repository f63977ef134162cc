"""One credential chain for both SDKs: each source with the real azure-identity classes, no network.

Azure's side is stood in for at its boundaries: an ``az`` program on the PATH that prints a token as
the Azure CLI does, and a local HTTP server in place of the host's managed-identity endpoint.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from azure.identity import (
    AzureCliCredential,
    ClientSecretCredential,
    InteractiveBrowserCredential,
    ManagedIdentityCredential,
    WorkloadIdentityCredential,
)

from backends import credentials

REPOSITORY = Path(__file__).resolve().parents[2]
AZURE_PYTHON = Path(os.environ.get("DUEL_AZURE_PYTHON", REPOSITORY / ".venv-azure" / "bin" / "python"))
ARM = "https://management.core.windows.net/"
CHAIN_VARIABLES = (
    *(name for group in credentials.SERVICE_PRINCIPAL_VARIABLES for name in group),
    *credentials.WORKLOAD_IDENTITY_VARIABLES,
    *credentials.MANAGED_IDENTITY_VARIABLES,
    "IDENTITY_HEADER",
)


@pytest.fixture
def clean(tmp_path, monkeypatch):
    """No credential variable and no Azure CLI: each test adds the one source it is about."""
    for name in CHAIN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


@pytest.fixture
def az(tmp_path, monkeypatch, clean) -> Path:
    """An ``az`` on the PATH that records its arguments and prints a token as ``az account
    get-access-token --output json`` does; returns the file its arguments go to."""
    folder = tmp_path / "bin"
    folder.mkdir()
    calls = tmp_path / "az-calls"
    answer = json.dumps({"accessToken": "token-from-az", "expires_on": int(time.time()) + 3600})
    program = folder / "az"
    program.write_text(f"#!/bin/sh\necho \"$@\" >> '{calls}'\necho '{answer}'\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}/usr/bin{os.pathsep}/bin")
    return calls


@pytest.fixture
def identity_endpoint(monkeypatch, clean):
    """A host's managed-identity endpoint (App Service's protocol) on a free local port; yields the
    query of each token request."""
    requests: list[dict[str, list[str]]] = []

    class Endpoint(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(parse_qs(urlparse(self.path).query))
            body = json.dumps(
                {
                    "access_token": "token-from-identity",
                    "expires_on": str(int(time.time()) + 3600),
                    "resource": ARM,
                    "token_type": "Bearer",
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"http://127.0.0.1:{server.server_port}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", "header-1")
    yield requests
    server.shutdown()
    server.server_close()


def test_the_azureml_service_principal_names_win_and_the_source_never_shows_the_secret(clean):
    environ = {
        "AZUREML_SERVICE_PRINCIPAL_TENANT_ID": "tenant-1",
        "AZUREML_SERVICE_PRINCIPAL_ID": "client-1",
        "AZUREML_SERVICE_PRINCIPAL_PASSWORD": "secret-1",
        "AZURE_TENANT_ID": "tenant-2",
        "AZURE_CLIENT_ID": "client-2",
        "AZURE_CLIENT_SECRET": "secret-2",
    }
    chosen = credentials.sign_in("auto", environ)
    assert isinstance(chosen.credential, ClientSecretCredential)
    assert "client-1" in chosen.source and "secret" not in chosen.source


def test_a_half_set_service_principal_names_what_is_missing(clean):
    with pytest.raises(
        credentials.CredentialError, match="^incomplete service principal: set AZURE_TENANT_ID"
    ):
        credentials.sign_in("auto", {"AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s"})


def test_auto_picks_a_user_assigned_managed_identity_and_asks_for_its_client_id(
    identity_endpoint, monkeypatch
):
    monkeypatch.setenv("AZURE_CLIENT_ID", "user-identity-1")
    chosen = credentials.sign_in("auto")
    assert isinstance(chosen.credential, ManagedIdentityCredential)
    assert chosen.source == "user-assigned managed identity user-identity-1"
    assert chosen.credential.get_token(f"{ARM}/.default").token == "token-from-identity"
    assert identity_endpoint[-1]["client_id"] == ["user-identity-1"]


def test_a_system_assigned_managed_identity_sends_no_client_id(identity_endpoint):
    chosen = credentials.sign_in("managed-identity")
    assert chosen.source == "system-assigned managed identity"
    assert chosen.credential.get_token(f"{ARM}/.default").token == "token-from-identity"
    assert "client_id" not in identity_endpoint[-1]


def test_a_workload_identity_comes_before_a_managed_one(clean, tmp_path):
    token_file = tmp_path / "federated-token"
    token_file.write_text("assertion")
    environ = {
        "AZURE_TENANT_ID": "tenant-1",
        "AZURE_CLIENT_ID": "client-1",
        "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
        "IDENTITY_ENDPOINT": "http://127.0.0.1:9/none",
    }
    assert isinstance(credentials.credential("auto", environ), WorkloadIdentityCredential)


def test_auto_falls_back_to_the_azure_cli_login(az):
    chosen = credentials.sign_in("auto", {})
    assert isinstance(chosen.credential, AzureCliCredential)
    assert chosen.credential.get_token(f"{ARM}/.default").token == "token-from-az"


def test_the_sdk_v1_token_function_asks_the_cli_for_the_audience_it_is_given(az):
    get_token_for_audience = credentials.token_for_audience(credentials.credential("cli", {}))
    assert get_token_for_audience(ARM) == "token-from-az"
    assert f"--resource {ARM}" in az.read_text()


def test_interactive_login_only_when_asked_for_by_name(clean):
    assert isinstance(credentials.credential("interactive", {}), InteractiveBrowserCredential)
    with pytest.raises(credentials.CredentialError):
        credentials.credential("auto", {})


def test_nothing_configured_is_one_line_naming_what_to_set(clean):
    with pytest.raises(credentials.CredentialError) as missing:
        credentials.sign_in("auto", {})
    message = str(missing.value)
    assert "\n" not in message
    for name in ("AZUREML_SERVICE_PRINCIPAL_PASSWORD", "AZURE_CLIENT_SECRET", "az login", "managed-identity"):
        assert name in message


def test_cli_mode_without_an_az_says_to_install_it(clean):
    with pytest.raises(credentials.CredentialError, match="no Azure CLI on the PATH"):
        credentials.sign_in("cli", {})


def test_an_unknown_mode_lists_the_modes():
    with pytest.raises(credentials.CredentialError, match="'browser' is not one of auto, service-principal"):
        credentials.sign_in("browser", {})


@pytest.mark.azure_sdk
@pytest.mark.skipif(
    not AZURE_PYTHON.exists(), reason=f"no real SDK install at {AZURE_PYTHON} (make azure-env)"
)
def test_sdk_v1_takes_the_shared_credential_through_token_authentication(az):
    # The real SDK v1 in its own interpreter, with no azure-cli package: `az login` reaches it
    # through TokenAuthentication over the shared chain.
    script = (
        "from azureml.core.authentication import Audience, TokenAuthentication\n"
        "from backends.credentials import sign_in\n"
        "from backends.sdk_v1.workspace import authentication\n"
        "auth = authentication(sign_in('auto'))\n"
        "assert type(auth) is TokenAuthentication\n"
        "print(auth.get_token(Audience.ARM))\n"
    )
    done = subprocess.run(
        [str(AZURE_PYTHON), "-c", script],
        cwd=REPOSITORY,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "token-from-az"
    assert "get-access-token" in az.read_text()
