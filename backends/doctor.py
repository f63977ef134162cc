"""``duel doctor``: which backend, which credential and which workspace, before anything is submitted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backends import BackendSettings, BackendSetupError, check, workspace_folder
from backends.credentials import CredentialError, sign_in
from backends.messages import WorkspaceRef
from backends.sdk_process import StepError


class WorkspaceUnreachable(RuntimeError):
    """The workspace could not be reached or read (the v2 backend's ``WorkspaceError``, re-raised)."""


REFUSALS = (BackendSetupError, CredentialError, StepError, WorkspaceUnreachable)
"""What :func:`diagnose` raises: each a one-line refusal naming what to change."""


@dataclass(frozen=True)
class Diagnosis:
    """What a run on these settings would use; never a secret."""

    backend: str
    credential: str
    workspace: str


def diagnose(settings: BackendSettings) -> Diagnosis:
    """Sign in and read the workspace the settings name, changing nothing on it.

    Args:
        settings: the backend's settings.

    Returns:
        The backend, the credential found and the workspace it reaches. A missing credential,
        SDK or workspace raises the backend's own one-line error.
    """
    check(settings)
    if settings.backend == "emulator":
        return Diagnosis("emulator", "none (offline)", str(workspace_folder(settings)))
    signed_in = sign_in(settings.azure_auth)
    if settings.backend == "azure-v2":
        from backends.azure_v2.workspace import WorkspaceError, connect

        try:
            ml_client = connect(settings.azure_config, settings.azure_auth, credential=signed_in.credential)
        except WorkspaceError as error:
            raise WorkspaceUnreachable(str(error)) from error
        reached = f"{ml_client.subscription_id}/{ml_client.resource_group_name}/{ml_client.workspace_name}"
        return Diagnosis(settings.backend, signed_in.source, reached)
    from backends.azure import REPOSITORY, interpreter
    from backends.sdk_process import SdkProcess

    # The SDK v1 child signs in itself from the environment it inherits: the same chain, no secret
    # on its command line.
    sdk = SdkProcess(interpreter(settings.azure_python), cwd=REPOSITORY)
    config = str(Path(settings.azure_config).resolve()) if settings.azure_config else None
    reached = sdk.workspace.describe(WorkspaceRef(config_path=config, auth=settings.azure_auth))
    return Diagnosis(settings.backend, signed_in.source, reached)
