"""The seam: the only package that knows which backend runs the duel's Azure ML steps.

``open_backend(settings)`` returns a :class:`Backend` whose methods are the duel's SDK steps with
small frozen values (:mod:`backends.messages`) in and out. The steps themselves are plain SDK v1
code (:mod:`backends.sdk_v1`): on the emulator backend they run under the emulator's import hook,
on the azure backend under the real SDK. The azure-v2 backend drives the same ``Backend`` with the
SDK v2 steps of :mod:`backends.azure_v2` (``azure-ai-ml``, in this process).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from backends.backend import Backend
from backends.messages import ClusterSpec


class BackendSettings(Protocol):
    """The settings a backend is opened from (``tasks.settings.DuelSettings`` has them)."""

    backend: str
    emulator_home: Path | None
    azure_config: Path | None
    azure_auth: str
    azure_python: str
    cpu_cluster: str
    cpu_vm_size: str
    cpu_min_nodes: int
    cpu_max_nodes: int
    gpu_cluster: str
    gpu_vm_size: str
    gpu_min_nodes: int
    gpu_max_nodes: int
    cluster_idle_seconds: int
    emulator_relax: str


BACKENDS = ("emulator", "azure", "azure-v2")


def clusters(settings: BackendSettings) -> dict[str, ClusterSpec]:
    """The CPU (AutoML) and GPU (HyperDrive) clusters the settings describe."""
    idle = settings.cluster_idle_seconds
    return {
        "cpu_cluster": ClusterSpec(
            settings.cpu_cluster, settings.cpu_vm_size, settings.cpu_max_nodes, settings.cpu_min_nodes, idle
        ),
        "gpu_cluster": ClusterSpec(
            settings.gpu_cluster, settings.gpu_vm_size, settings.gpu_max_nodes, settings.gpu_min_nodes, idle
        ),
    }


def open_backend(settings: BackendSettings) -> Backend:
    """The backend the settings name, on their workspace."""
    if settings.backend not in BACKENDS:
        raise ValueError(f"unknown backend {settings.backend!r}: use {', '.join(BACKENDS)}")
    if settings.backend == "emulator":
        from backends.emulator import open_emulator

        return open_emulator(
            settings.emulator_home, relaxations=settings.emulator_relax, **clusters(settings)
        )
    if settings.backend == "azure-v2":
        from backends.azure_v2.workspace import open_azure_v2

        return open_azure_v2(settings.azure_config, settings.azure_auth, **clusters(settings))
    from backends.azure import open_azure

    return open_azure(settings.azure_python, settings.azure_config, settings.azure_auth, **clusters(settings))


def workspace_folder(settings: BackendSettings) -> Path:
    """The local folder of the settings' workspace, found without connecting to it: where the files a
    person opens afterwards (the duel's reports) are kept. The emulator's workspace folder itself;
    for Azure, ``.duel/azure`` under the current folder (the cloud workspace has no local folder)."""
    if settings.backend == "emulator":
        home = Path(settings.emulator_home).expanduser().resolve() if settings.emulator_home else None
        from backends.emulator import workspace_folder as emulator_folder

        return emulator_folder(home)
    return Path.cwd() / ".duel" / "azure"


__all__ = ["BACKENDS", "Backend", "BackendSettings", "clusters", "open_backend", "workspace_folder"]
