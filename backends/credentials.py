"""One headless sign-in for both SDKs, from ``azure-identity``.

``DUEL_AZURE_AUTH`` picks the source; ``auto`` takes the first one configured, in this order:

1. ``service-principal``: ``AZUREML_SERVICE_PRINCIPAL_TENANT_ID`` / ``_ID`` / ``_PASSWORD``, else
   ``AZURE_TENANT_ID`` / ``AZURE_CLIENT_ID`` / ``AZURE_CLIENT_SECRET``;
2. ``workload-identity``: ``AZURE_FEDERATED_TOKEN_FILE`` with ``AZURE_TENANT_ID``, ``AZURE_CLIENT_ID``;
3. ``managed-identity``: where the host announces one (``IDENTITY_ENDPOINT`` or ``MSI_ENDPOINT``);
   ``AZURE_CLIENT_ID`` picks a user-assigned identity;
4. ``cli``: an ``az`` on the PATH (its ``az login``).

``interactive`` (a browser) only when asked for by name. Never ``DefaultAzureCredential``: it probes
a link-local address and, with nothing configured, fails late with a page of text instead of one
line now. The SDK v1 takes the same credential through ``TokenAuthentication``
(:func:`token_for_audience`), so ``az login`` needs no azure-cli inside ``.venv-azure``; its steps
build the credential themselves from the inherited environment, so no secret is ever an argument.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from azure.core.credentials import TokenCredential
from azure.identity import (
    AzureCliCredential,
    ClientSecretCredential,
    InteractiveBrowserCredential,
    ManagedIdentityCredential,
    WorkloadIdentityCredential,
)

MODES = ("auto", "service-principal", "workload-identity", "managed-identity", "cli", "interactive")
# (tenant, client id, secret) variable names, in the order they are looked for.
SERVICE_PRINCIPAL_VARIABLES = (
    (
        "AZUREML_SERVICE_PRINCIPAL_TENANT_ID",
        "AZUREML_SERVICE_PRINCIPAL_ID",
        "AZUREML_SERVICE_PRINCIPAL_PASSWORD",
    ),
    ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"),
)
WORKLOAD_IDENTITY_VARIABLES = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_FEDERATED_TOKEN_FILE")
MANAGED_IDENTITY_VARIABLES = ("IDENTITY_ENDPOINT", "MSI_ENDPOINT")
NO_CREDENTIAL = (
    "no Azure credential: set AZUREML_SERVICE_PRINCIPAL_TENANT_ID, AZUREML_SERVICE_PRINCIPAL_ID and "
    "AZUREML_SERVICE_PRINCIPAL_PASSWORD (or AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET), "
    "or run `az login`, or set DUEL_AZURE_AUTH=managed-identity on an Azure host with one "
    "(DUEL_AZURE_AUTH=interactive for a browser login)"
)


class CredentialError(RuntimeError):
    """No usable credential, said in one line that names what to set."""


@dataclass(frozen=True)
class SignIn:
    """The credential chosen and, for ``duel doctor``, where it came from (never a secret)."""

    source: str
    credential: TokenCredential


def _values(environ: Mapping[str, str], names: tuple[str, ...]) -> list[str]:
    return [environ.get(name, "").strip() for name in names]


def _service_principal(environ: Mapping[str, str], mode: str) -> SignIn | None:
    for names in SERVICE_PRINCIPAL_VARIABLES:
        values = _values(environ, names)
        if all(values):
            return SignIn(f"service principal {values[1]} ({names[1]})", ClientSecretCredential(*values))
        # A client id alone is also how a managed or workload identity is chosen: only a secret, or
        # asking for a principal by name, says that a half-set principal was meant.
        if any(values) and (values[2] or mode == "service-principal"):
            missing = ", ".join(name for name, value in zip(names, values, strict=True) if not value)
            raise CredentialError(f"incomplete service principal: set {missing} as well")
    return None


def _workload_identity(environ: Mapping[str, str]) -> SignIn | None:
    tenant, client, token_file = _values(environ, WORKLOAD_IDENTITY_VARIABLES)
    if not (tenant and client and token_file):
        return None
    credential = WorkloadIdentityCredential(tenant_id=tenant, client_id=client, token_file_path=token_file)
    return SignIn(f"workload identity {client}", credential)


def _managed_identity(environ: Mapping[str, str]) -> SignIn:
    client_id = environ.get("AZURE_CLIENT_ID", "").strip()
    if client_id:
        return SignIn(
            f"user-assigned managed identity {client_id}", ManagedIdentityCredential(client_id=client_id)
        )
    return SignIn("system-assigned managed identity", ManagedIdentityCredential())


def _cli(mode: str) -> SignIn:
    if shutil.which("az") is None:
        raise CredentialError(
            NO_CREDENTIAL if mode == "auto" else "no Azure CLI on the PATH: install it, run `az login`"
        )
    return SignIn("Azure CLI (az login)", AzureCliCredential())


def sign_in(mode: str = "auto", environ: Mapping[str, str] | None = None) -> SignIn:
    """The credential ``mode`` names (see the module docstring).

    Args:
        mode: one of :data:`MODES`.
        environ: the variables to read; ``os.environ`` when omitted.

    Returns:
        The chosen credential and a line saying which. Nothing is contacted, so a missing or
        half-set credential raises :class:`CredentialError` before any job is built.
    """
    environ = os.environ if environ is None else environ
    if mode not in MODES:
        raise CredentialError(f"DUEL_AZURE_AUTH={mode!r} is not one of {', '.join(MODES)}")
    if mode == "interactive":
        return SignIn("interactive browser login", InteractiveBrowserCredential())
    if mode == "cli":
        return _cli(mode)
    if mode == "managed-identity":
        return _managed_identity(environ)
    if mode in ("auto", "service-principal"):
        principal = _service_principal(environ, mode)
        if principal is not None:
            return principal
        if mode == "service-principal":
            first, second = (", ".join(group) for group in SERVICE_PRINCIPAL_VARIABLES)
            raise CredentialError(f"DUEL_AZURE_AUTH=service-principal needs {first} (or {second})")
    workload = _workload_identity(environ)
    if workload is not None:
        return workload
    if mode == "workload-identity":
        raise CredentialError(
            f"DUEL_AZURE_AUTH=workload-identity needs {', '.join(WORKLOAD_IDENTITY_VARIABLES)}"
        )
    if any(environ.get(name) for name in MANAGED_IDENTITY_VARIABLES):
        return _managed_identity(environ)
    return _cli(mode)


def credential(mode: str = "auto", environ: Mapping[str, str] | None = None) -> TokenCredential:
    """The credential of :func:`sign_in`, for ``MLClient``."""
    return sign_in(mode, environ).credential


def token_for_audience(credential: TokenCredential) -> Callable[[str], str]:
    """The ``get_token_for_audience`` function SDK v1's ``TokenAuthentication`` calls.

    Args:
        credential: any azure-identity credential.

    Returns:
        A function from an AAD resource (``https://management.core.windows.net/``) to a bearer
        token; the scope keeps the resource's trailing slash, as the SDK's own ``resource_to_scopes``.
    """

    def get_token_for_audience(audience: str) -> str:
        return credential.get_token(f"{audience}/.default").token

    return get_token_for_audience
