"""Connect to the workspace: by its names, or from ``config.json`` with a headless credential."""

from __future__ import annotations

from azureml.core import Workspace
from azureml.exceptions import AuthenticationException

from backends.messages import WorkspaceRef
from backends.sdk_v1 import environments
from backends.sdk_v1.credentials import CredentialError, authentication


def connect(ref: WorkspaceRef) -> Workspace:
    """The workspace ``ref`` names: by its three names, else from ``config.json``.

    The credential is chosen before anything is contacted; one Azure refuses becomes a
    :class:`CredentialError` naming the mode, so no job is built on a workspace that cannot be used.
    """
    if ref.workspace_name and ref.config_path is None:
        return Workspace(
            subscription_id=ref.subscription_id,
            resource_group=ref.resource_group,
            workspace_name=ref.workspace_name,
        )
    auth = authentication(ref.auth)
    try:
        return Workspace.from_config(path=ref.config_path, auth=auth)
    except AuthenticationException as refused:
        detail = " ".join(str(getattr(refused, "message", "") or refused).split())
        raise CredentialError(
            f"Azure refused the {type(auth).__name__} credential (DUEL_AZURE_AUTH={ref.auth}): {detail}"
        ) from refused


def prepare(ws: Workspace) -> str:
    """Register the training and serving environments; returns the workspace's full name."""
    environments.register_all(ws)
    return f"{ws.subscription_id}/{ws.resource_group}/{ws.name}"
