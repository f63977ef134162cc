"""The seam: the only package that knows which backend runs the duel's Azure ML steps.

``open_backend(settings)`` returns a :class:`Backend` whose methods are the duel's SDK steps with
small frozen values (:mod:`backends.messages`) in and out. The steps themselves are plain SDK v1
code (:mod:`backends.sdk_v1`): on the emulator backend they run under the emulator's import hook,
on the azure backend under the real SDK. The azure-v2 backend drives the same ``Backend`` with the
SDK v2 steps of :mod:`backends.azure_v2` (``azure-ai-ml``, in this process). What the tasks may
ask of a backend, they ask its :class:`~backends.capabilities.Capabilities`, never its name.

A task opens the backend from its settings, not from a parameter: Prefect hashes a task's
parameters into its cache key (``INPUTS``) and must be able to persist them for retries and
workers in other processes, and an opened backend holds a live workspace (an ``MLClient``, the
emulator's import hook) that is neither hashable nor serialisable. ``tasks.opened`` keeps one opened
backend per flow run instead, so a run still opens it once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from backends.backend import Backend, BackendSetupError
from backends.capabilities import BACKENDS, Capabilities, capabilities
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
    capabilities(settings.backend)  # an unknown name fails here, listing the known ones
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


def check(settings: BackendSettings) -> None:
    """What can be known about the backend without starting anything on it.

    Args:
        settings: the backend's settings.

    Raises:
        BackendSetupError: one line naming the setting to change.
    """
    capabilities(settings.backend)
    if settings.backend == "emulator":
        home = Path(settings.emulator_home)
        existing = next((p for p in (home, *home.parents) if p.exists()), None)
        if existing is None or not existing.is_dir():
            raise BackendSetupError(f"DUEL_EMULATOR_HOME: {home} cannot be a folder ({existing} is a file)")
        return
    if settings.backend == "azure":
        from backends.azure import interpreter

        interpreter(settings.azure_python)
    if settings.azure_config is not None and not Path(settings.azure_config).exists():
        raise BackendSetupError(f"DUEL_AZURE_CONFIG: {settings.azure_config} does not exist")


def workspace_folder(settings: BackendSettings) -> Path:
    """The local folder of the settings' workspace, found without connecting to it: where the files a
    person opens afterwards (the duel's reports) are kept. The emulator's workspace folder itself;
    for Azure, ``.duel/azure`` under the current folder (the cloud workspace has no local folder)."""
    if settings.backend == "emulator":
        home = Path(settings.emulator_home).expanduser().resolve() if settings.emulator_home else None
        from backends.emulator import workspace_folder as emulator_folder

        return emulator_folder(home)
    return Path.cwd() / ".duel" / "azure"


__all__ = [
    "BACKENDS",
    "Backend",
    "BackendSettings",
    "BackendSetupError",
    "Capabilities",
    "capabilities",
    "check",
    "clusters",
    "open_backend",
    "workspace_folder",
]
