"""The Azure backend: the same SDK v1 steps, run by the real ``azureml`` packages in their own interpreter.

The SDK's AutoML client cannot share an environment with Prefect, so each step runs as
``<azure_python> -m backends.sdk_v1.step`` (:class:`backends.sdk_process.SdkProcess`) with JSON in
and out. Opening the backend signs in, reads the workspace and registers the two environments
before any job is built, so a missing credential or workspace fails first, in one line.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

from backends.backend import Backend, BackendSetupError
from backends.capabilities import capabilities
from backends.messages import ClusterSpec, WorkspaceRef
from backends.sdk_process import SdkProcess

REPOSITORY = Path(__file__).resolve().parents[1]


class AzureSetupError(BackendSetupError):
    """The interpreter that should run the SDK v1 steps is missing."""


def interpreter(python: str) -> list[str]:
    """The command line of the SDK's interpreter, or :class:`AzureSetupError` if there is none."""
    command = shlex.split(python)
    if not command or shutil.which(command[0]) is None:
        raise AzureSetupError(
            f"no Python with the Azure ML SDK v1 at {python!r}: run `make azure-env` "
            "(or point DUEL_AZURE_PYTHON at one)"
        )
    return command


def open_azure(
    python: str,
    config: Path | None,
    auth: str = "auto",
    *,
    cpu_cluster: ClusterSpec,
    gpu_cluster: ClusterSpec,
) -> Backend:
    """The workspace of ``config`` (an Azure ``config.json``, else the one found from the repository),
    driven through ``python`` (a command line: the interpreter of ``.venv-azure``, or a wrapper)."""
    sdk = SdkProcess(interpreter(python), cwd=REPOSITORY)
    ref = WorkspaceRef(config_path=str(Path(config).resolve()) if config else None, auth=auth)
    identity = f"azure:{sdk.workspace.prepare(ref)}"
    return Backend(
        sdk,
        ref,
        identity=identity,
        capabilities=capabilities("azure"),
        cpu_cluster=cpu_cluster,
        gpu_cluster=gpu_cluster,
    )
