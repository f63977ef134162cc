"""`duel doctor`: the backend, the credential found and the workspace reached, before any job."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app

SECRET = "not-a-secret-but-never-shown"
CHAIN = (
    "AZUREML_SERVICE_PRINCIPAL_TENANT_ID",
    "AZUREML_SERVICE_PRINCIPAL_ID",
    "AZUREML_SERVICE_PRINCIPAL_PASSWORD",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_FEDERATED_TOKEN_FILE",
    "IDENTITY_ENDPOINT",
    "MSI_ENDPOINT",
)


@pytest.fixture
def azure_settings(tmp_path, monkeypatch) -> Path:
    """DUEL_BACKEND=azure on a config.json whose workspace the emulator serves, through the step
    process (`python -m emulator run` in place of .venv-azure's interpreter), no credential yet."""
    for name in CHAIN:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # no Azure CLI
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "emulator"))
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps({"subscription_id": "sub-1", "resource_group": "rg-duel", "workspace_name": "ws-1"})
    )
    monkeypatch.setenv("DUEL_BACKEND", "azure")
    monkeypatch.setenv("DUEL_AZURE_CONFIG", str(config))
    monkeypatch.setenv("DUEL_AZURE_PYTHON", f"{shlex.quote(sys.executable)} -m emulator run")
    monkeypatch.setenv("DUEL_AUTOML_TIMEOUT_MINUTES", "15")
    return config


def test_doctor_names_the_credential_and_the_workspace_it_reaches_without_the_secret(
    azure_settings, monkeypatch
):
    monkeypatch.setenv("AZUREML_SERVICE_PRINCIPAL_TENANT_ID", "00000000-0000-0000-0000-0000000000aa")
    monkeypatch.setenv("AZUREML_SERVICE_PRINCIPAL_ID", "duel-ci")
    monkeypatch.setenv("AZUREML_SERVICE_PRINCIPAL_PASSWORD", SECRET)

    result = CliRunner().invoke(app, ["doctor"])

    assert result.exit_code == 0, result.output
    assert "backend: azure" in result.output
    assert "credential: service principal duel-ci (AZUREML_SERVICE_PRINCIPAL_ID)" in result.output
    assert "workspace: sub-1/rg-duel/ws-1" in result.output
    assert SECRET not in result.output


def test_doctor_without_a_credential_is_one_line_naming_what_to_set(azure_settings):
    result = CliRunner().invoke(app, ["doctor"])

    assert result.exit_code == 2
    assert (
        result.output.count("\n") == 1 and "CredentialError" in result.output and "az login" in result.output
    )


def test_doctor_on_the_emulator_needs_no_credential(tmp_path, monkeypatch):
    monkeypatch.setenv("DUEL_BACKEND", "emulator")
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "emulator"))

    result = CliRunner().invoke(app, ["doctor"])

    assert result.exit_code == 0, result.output
    assert "backend: emulator" in result.output and "credential: none (offline)" in result.output
