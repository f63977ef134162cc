"""Choosing the workspace credential headlessly; runs the step code under the emulator's import hook."""

from __future__ import annotations

import os
import stat

import pytest

from emulator import hook

SP = {
    "AZUREML_SERVICE_PRINCIPAL_TENANT_ID": "tenant-1",
    "AZUREML_SERVICE_PRINCIPAL_ID": "client-1",
    "AZUREML_SERVICE_PRINCIPAL_PASSWORD": "secret-1",
}
AZURE_SDK_SP = {
    "AZURE_TENANT_ID": "tenant-2",
    "AZURE_CLIENT_ID": "client-2",
    "AZURE_CLIENT_SECRET": "secret-2",
}


@pytest.fixture
def credentials():
    with hook.azureml_emulated():
        from backends.sdk_v1 import credentials

        yield credentials


@pytest.fixture
def no_az(tmp_path, monkeypatch):
    """A PATH with no Azure CLI on it."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


def _az(tmp_path, monkeypatch, logged_in: bool):
    """An ``az`` program on PATH that answers ``az account show`` as a logged-in (or not) CLI does."""
    folder = tmp_path / "bin"
    folder.mkdir()
    program = folder / "az"
    program.write_text(f"#!/bin/sh\n[ \"$1 $2\" = 'account show' ] && exit {0 if logged_in else 1}\nexit 2\n")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def test_service_principal_from_azureml_variables(credentials, no_az):
    auth = credentials.authentication("auto", environ={**SP, **AZURE_SDK_SP})
    # The AZUREML_ set wins over the Azure SDKs' names when both are complete.
    assert type(auth).__name__ == "ServicePrincipalAuthentication"
    assert (auth._tenant_id, auth._service_principal_id, auth._service_principal_password) == (
        "tenant-1",
        "client-1",
        "secret-1",
    )


def test_service_principal_from_azure_sdk_variables(credentials, no_az):
    auth = credentials.authentication("service-principal", environ=AZURE_SDK_SP)
    assert auth._service_principal_id == "client-2"


def test_half_set_service_principal_names_what_is_missing(credentials, no_az):
    environ = {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c"}
    with pytest.raises(
        credentials.CredentialError, match="^incomplete service principal: set AZURE_CLIENT_SECRET"
    ):
        credentials.authentication("auto", environ=environ)


def test_no_credential_at_all_is_one_line_naming_what_to_set(credentials, no_az):
    with pytest.raises(credentials.CredentialError) as missing:
        credentials.authentication("auto", environ={})
    message = str(missing.value)
    assert "\n" not in message
    for name in ("AZUREML_SERVICE_PRINCIPAL_PASSWORD", "AZURE_CLIENT_SECRET", "az login", "managed-identity"):
        assert name in message


def test_service_principal_mode_refuses_other_credentials(credentials, tmp_path, monkeypatch):
    _az(tmp_path, monkeypatch, logged_in=True)
    with pytest.raises(credentials.CredentialError, match="needs AZUREML_SERVICE_PRINCIPAL_TENANT_ID"):
        credentials.authentication("service-principal", environ={})


def test_managed_identity_where_the_host_announces_one(credentials, no_az):
    auth = credentials.authentication("auto", environ={"IDENTITY_ENDPOINT": "http://169.254.169.254/x"})
    assert type(auth).__name__ == "MsiAuthentication"
    assert type(credentials.authentication("managed-identity", environ={})).__name__ == "MsiAuthentication"


def test_azure_cli_login_is_used_when_present(credentials, tmp_path, monkeypatch):
    _az(tmp_path, monkeypatch, logged_in=True)
    assert type(credentials.authentication("auto", environ={})).__name__ == "AzureCliAuthentication"


def test_cli_mode_without_a_login_says_to_log_in(credentials, tmp_path, monkeypatch):
    _az(tmp_path, monkeypatch, logged_in=False)
    with pytest.raises(credentials.CredentialError, match="run `az login`"):
        credentials.authentication("cli", environ={})


def test_interactive_login_only_when_asked(credentials, no_az):
    assert type(credentials.authentication("interactive", environ={})).__name__ == (
        "InteractiveLoginAuthentication"
    )
    with pytest.raises(credentials.CredentialError):
        credentials.authentication("auto", environ={})


def test_unknown_mode_lists_the_modes(credentials):
    with pytest.raises(credentials.CredentialError, match="service-principal, managed-identity, cli"):
        credentials.authentication("browser", environ={})
