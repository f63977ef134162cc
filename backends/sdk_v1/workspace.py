"""Connect to the workspace: by its names, or from ``config.json`` with a headless credential."""

from __future__ import annotations

from azure.core.exceptions import ClientAuthenticationError
from azureml.core import Workspace
from azureml.exceptions import AuthenticationException

from backends.credentials import CredentialError, SignIn, sign_in, token_for_audience
from backends.messages import WorkspaceRef
from backends.sdk_v1 import environments


def authentication(signed_in: SignIn):
    """SDK v1's ``TokenAuthentication`` over the shared azure-identity credential."""
    from azureml.core.authentication import TokenAuthentication

    return TokenAuthentication(get_token_for_audience=token_for_audience(signed_in.credential))


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
    signed_in = sign_in(ref.auth)
    try:
        return Workspace.from_config(path=ref.config_path, auth=authentication(signed_in))
    except (AuthenticationException, ClientAuthenticationError) as refused:
        detail = " ".join(str(getattr(refused, "message", "") or refused).split())
        raise CredentialError(
            f"Azure refused the {signed_in.source} credential (DUEL_AZURE_AUTH={ref.auth}): {detail}"
        ) from refused


def describe(ws: Workspace) -> str:
    """The workspace's full name, read without changing anything (for ``duel doctor``)."""
    return f"{ws.subscription_id}/{ws.resource_group}/{ws.name}"


def prepare(ws: Workspace) -> str:
    """Register the training and serving environments; returns the workspace's full name."""
    environments.register_all(ws)
    return describe(ws)
