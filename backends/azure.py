"""The Azure backend: the same SDK v1 steps, served by the real ``azureml`` packages."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from backends.backend import Backend
from backends.messages import ClusterSpec, WorkspaceRef

_MISSING_SDK = (
    "the azure backend needs the SDK v1 clients: install the 'azure' extra into its own "
    "virtual environment (see README)"
)


def open_azure(config: Path | None, *, cpu_cluster: ClusterSpec, gpu_cluster: ClusterSpec) -> Backend:
    """The workspace of ``config`` (an Azure ``config.json``, else the one found from the current folder)."""
    loaded = sys.modules.get("backends.sdk_v1.workspace")
    if loaded is not None and loaded.Workspace.__module__.startswith("emulator"):
        raise RuntimeError(
            "this process already runs the SDK steps on the emulator: use a fresh process for azure"
        )
    try:
        sdk = importlib.import_module("backends.sdk_v1")
    except ImportError as exc:
        raise ImportError(_MISSING_SDK) from exc
    workspace = sdk.workspace.connect(WorkspaceRef(config_path=str(config) if config else None))
    identity = f"azure:{workspace.subscription_id}/{workspace.resource_group}/{workspace.name}"
    return Backend(sdk, workspace, identity=identity, cpu_cluster=cpu_cluster, gpu_cluster=gpu_cluster)
