"""Open the v2 backend: sign in, reach the workspace, register the environments, before any job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from azure.ai.ml import MLClient
from azure.ai.ml.exceptions import MlException
from azure.core.credentials import TokenCredential
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

from backends import credentials
from backends.azure_v2 import environments
from backends.backend import Backend
from backends.capabilities import capabilities
from backends.messages import ClusterSpec


class WorkspaceError(RuntimeError):
    """The workspace could not be reached or read; one line naming it and why."""


def connect(
    config: Path | None,
    auth: str = "auto",
    *,
    credential: TokenCredential | None = None,
    **client_options: Any,
) -> MLClient:
    """An ``MLClient`` on the workspace of ``config`` (an Azure ``config.json``, else the one found
    from the current folder), checked by reading the workspace once. ``client_options`` go to every
    azure-core pipeline (``transport``, ``retry_total``, ...)."""
    signed_in = credential or credentials.credential(auth)
    try:
        ml_client = MLClient.from_config(signed_in, path=str(config) if config else None, **client_options)
    except MlException as exc:  # a missing file, or one without the three names
        raise WorkspaceError(f"no workspace config.json: set DUEL_AZURE_CONFIG ({exc})") from exc
    try:
        ml_client.workspaces.get(ml_client.workspace_name)
    except ClientAuthenticationError as exc:
        raise credentials.CredentialError(f"Azure refused the credential: {exc.message}") from exc
    except HttpResponseError as exc:
        raise WorkspaceError(f"workspace {ml_client.workspace_name}: {exc.message}") from exc
    return ml_client


def open_azure_v2(
    config: Path | None,
    auth: str = "auto",
    *,
    cpu_cluster: ClusterSpec,
    gpu_cluster: ClusterSpec,
    credential: TokenCredential | None = None,
    **client_options: Any,
) -> Backend:
    """The duel's steps as SDK v2 calls on the workspace (see :func:`connect`)."""
    import backends.azure_v2 as steps

    ml_client = connect(config, auth, credential=credential, **client_options)
    environments.register_all(ml_client)
    identity = (
        f"azure-v2:{ml_client.subscription_id}/{ml_client.resource_group_name}/{ml_client.workspace_name}"
    )
    return Backend(
        steps,
        ml_client,
        identity=identity,
        capabilities=capabilities("azure-v2"),
        cpu_cluster=cpu_cluster,
        gpu_cluster=gpu_cluster,
    )
