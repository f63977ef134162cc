"""Headless sign-in for ``MLClient``: service principal, managed identity or an Azure CLI login.

``DUEL_AZURE_AUTH`` (``settings.azure_auth``) picks one: ``service-principal`` (``AZURE_TENANT_ID``,
``AZURE_CLIENT_ID``, ``AZURE_CLIENT_SECRET``, or the SDK v1 names ``AZUREML_SERVICE_PRINCIPAL_*``),
``managed-identity`` (``AZURE_CLIENT_ID`` picks a user-assigned one), ``cli``; ``auto`` takes the
first that is configured, in that order. Never ``DefaultAzureCredential``: it probes a link-local
address and, when nothing is configured, fails late with a page of text instead of one line now.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping

from azure.core.credentials import TokenCredential
from azure.identity import AzureCliCredential, ClientSecretCredential, ManagedIdentityCredential

MODES = ("auto", "service-principal", "managed-identity", "cli")
# (tenant, client, secret) names, Azure SDKs' own first.
_PRINCIPAL_NAMES = (
    ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"),
    (
        "AZUREML_SERVICE_PRINCIPAL_TENANT_ID",
        "AZUREML_SERVICE_PRINCIPAL_ID",
        "AZUREML_SERVICE_PRINCIPAL_PASSWORD",
    ),
)
_IDENTITY_HOST_NAMES = ("IDENTITY_ENDPOINT", "MSI_ENDPOINT")
NO_CREDENTIAL = (
    "no Azure credential for the v2 backend: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET "
    "(a service principal), or run `az login`, or set DUEL_AZURE_AUTH=managed-identity on an Azure host"
)


class CredentialError(RuntimeError):
    """No usable credential; the message is one line naming what to set."""


def _principal(environ: Mapping[str, str]) -> ClientSecretCredential | None:
    for names in _PRINCIPAL_NAMES:
        values = [environ.get(name, "").strip() for name in names]
        if all(values):
            return ClientSecretCredential(*values)
        if any(values):
            missing = ", ".join(name for name, value in zip(names, values, strict=True) if not value)
            raise CredentialError(f"incomplete service principal: set {missing} as well")
    return None


def credential(mode: str = "auto", environ: Mapping[str, str] | None = None) -> TokenCredential:
    """The credential ``mode`` names; contacts nothing, so a missing one fails before any job is built."""
    environ = os.environ if environ is None else environ
    if mode not in MODES:
        raise CredentialError(f"unknown DUEL_AZURE_AUTH {mode!r} for the v2 backend: use {', '.join(MODES)}")
    if mode in ("auto", "service-principal"):
        principal = _principal(environ)
        if principal is not None:
            return principal
        if mode == "service-principal":
            raise CredentialError(
                "no service principal: set AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET"
            )
    identity_host = any(environ.get(name) for name in _IDENTITY_HOST_NAMES)
    if mode == "managed-identity" or (mode == "auto" and identity_host):
        client_id = environ.get("AZURE_CLIENT_ID") or None
        return ManagedIdentityCredential(client_id=client_id) if client_id else ManagedIdentityCredential()
    if shutil.which("az") is None:
        raise CredentialError(
            NO_CREDENTIAL if mode == "auto" else "no Azure CLI: install it and run `az login`"
        )
    return AzureCliCredential()
