"""Headless authentication for the SDK v1 workspace: service principal, managed identity or Azure CLI.

A Prefect worker has no browser, so ``Workspace.from_config`` must never fall back to the SDK's
interactive login. ``DUEL_AZURE_AUTH`` picks the credential:

* ``auto`` (default): a service principal from ``AZUREML_SERVICE_PRINCIPAL_TENANT_ID`` /
  ``_ID`` / ``_PASSWORD`` or the Azure SDKs' ``AZURE_TENANT_ID`` / ``AZURE_CLIENT_ID`` /
  ``AZURE_CLIENT_SECRET``; else the managed identity where the host announces one
  (``IDENTITY_ENDPOINT`` or ``MSI_ENDPOINT``); else an Azure CLI login (``az login``).
* ``service-principal``, ``managed-identity``, ``cli``: only that one.
* ``interactive``: the SDK's browser or device-code login, only when asked for.

Nothing is contacted here: :func:`authentication` only chooses, and a missing or half-set
credential raises :class:`CredentialError`, one line naming what to set, before any job is built.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping

from azureml.core.authentication import (
    AzureCliAuthentication,
    InteractiveLoginAuthentication,
    MsiAuthentication,
    ServicePrincipalAuthentication,
)

MODES = ("auto", "service-principal", "managed-identity", "cli", "interactive")
# (tenant, client id, secret) variable names, in the order they are looked for.
SERVICE_PRINCIPAL_VARIABLES = (
    (
        "AZUREML_SERVICE_PRINCIPAL_TENANT_ID",
        "AZUREML_SERVICE_PRINCIPAL_ID",
        "AZUREML_SERVICE_PRINCIPAL_PASSWORD",
    ),
    ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"),
)
MANAGED_IDENTITY_VARIABLES = ("IDENTITY_ENDPOINT", "MSI_ENDPOINT")
NO_CREDENTIAL = (
    "no Azure credential: set AZUREML_SERVICE_PRINCIPAL_TENANT_ID, AZUREML_SERVICE_PRINCIPAL_ID and "
    "AZUREML_SERVICE_PRINCIPAL_PASSWORD (or AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET), "
    "or run `az login`, or set DUEL_AZURE_AUTH=managed-identity on an Azure host with one "
    "(DUEL_AZURE_AUTH=interactive for a browser login)"
)


class CredentialError(RuntimeError):
    """No usable credential, said in one line that names what to set."""


def _service_principal(environ: Mapping[str, str]) -> ServicePrincipalAuthentication | None:
    for names in SERVICE_PRINCIPAL_VARIABLES:
        values = [environ.get(name, "").strip() for name in names]
        if all(values):
            tenant, client, secret = values
            return ServicePrincipalAuthentication(
                tenant_id=tenant, service_principal_id=client, service_principal_password=secret
            )
        if any(values):
            missing = [name for name, value in zip(names, values, strict=True) if not value]
            raise CredentialError(f"incomplete service principal: set {', '.join(missing)} as well")
    return None


def _cli_logged_in() -> bool:
    """True when the Azure CLI is installed and holds a login (a local call: no browser, no prompt)."""
    az = shutil.which("az")
    if az is None:
        return False
    try:
        done = subprocess.run([az, "account", "show", "--output", "none"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def authentication(mode: str = "auto", environ: Mapping[str, str] | None = None):
    """The SDK v1 authentication object for ``mode`` (see the module docstring)."""
    environ = os.environ if environ is None else environ
    if mode not in MODES:
        raise CredentialError(f"DUEL_AZURE_AUTH={mode!r} is not one of {', '.join(MODES)}")
    if mode == "interactive":
        return InteractiveLoginAuthentication()
    if mode == "managed-identity":
        return MsiAuthentication()
    if mode == "cli":
        if not _cli_logged_in():
            raise CredentialError("DUEL_AZURE_AUTH=cli but the Azure CLI has no login: run `az login`")
        return AzureCliAuthentication()
    principal = _service_principal(environ)
    if principal is not None:
        return principal
    if mode == "service-principal":
        first, second = (", ".join(group) for group in SERVICE_PRINCIPAL_VARIABLES)
        raise CredentialError(f"DUEL_AZURE_AUTH=service-principal needs {first} (or {second})")
    if any(environ.get(name) for name in MANAGED_IDENTITY_VARIABLES):
        return MsiAuthentication()
    if _cli_logged_in():
        return AzureCliAuthentication()
    raise CredentialError(NO_CREDENTIAL)
