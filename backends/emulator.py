"""The emulator backend: the SDK v1 steps run in this process under the emulator's import hook."""

from __future__ import annotations

import importlib
from pathlib import Path

from backends.backend import Backend
from backends.capabilities import capabilities
from backends.messages import ClusterSpec, Deployment, Endpoint, WorkspaceRef
from emulator import hook, relax
from emulator.core.workspace import emulator_home
from emulator.studio import STUDIO_PORT, studio_url

WORKSPACE = WorkspaceRef(subscription_id="local", resource_group="automl-duel", workspace_name="duel")


# Where `emulator studio` serves the studio by default; a run's link in a report points there.
STUDIO_BASE = f"http://127.0.0.1:{STUDIO_PORT}"


class EmulatorBackend(Backend):
    """Azure's steps on a local emulated workspace; ``docker`` deploys into a container."""

    studio_base = STUDIO_BASE

    def run_urls(self, run_ids: tuple[str, ...]) -> dict[str, str]:
        """Each run's page in the offline studio (``emulator studio`` serves it)."""
        return {run_id: studio_url(run_id, self.studio_base) for run_id in run_ids}

    def deploy(self, deployment: Deployment) -> Endpoint:
        if deployment.target != "docker":
            return super().deploy(deployment)
        # The SDK's LocalWebservice is itself a Docker container; the emulator's runs a process
        # unless asked for a container explicitly.
        from emulator.core.webservice import DockerWebservice

        return self._sdk.services.deploy(
            self.workspace, deployment, DockerWebservice.deploy_configuration(port=None)
        )


def workspace_folder(home: Path | None) -> Path:
    """The duel's emulated workspace folder under ``home`` (else the emulator's default home)."""
    return (home or emulator_home()) / WORKSPACE.workspace_name


def open_emulator(
    home: Path | None, *, cpu_cluster: ClusterSpec, gpu_cluster: ClusterSpec, relaxations: str = ""
) -> EmulatorBackend:
    """Serve ``azureml`` from the emulator for this process (``home``: its folder, else the default;
    ``relaxations``: the emulator-only relaxations asked for by name, comma-separated)."""
    hook.install(home=home)
    relax.allow(relaxations.split(","))
    sdk = importlib.import_module("backends.sdk_v1")
    workspace = sdk.workspace.connect(WORKSPACE)
    sdk.workspace.prepare(workspace)
    identity = f"emulator:{emulator_home() / workspace.name}"
    return EmulatorBackend(
        sdk,
        workspace,
        identity=identity,
        capabilities=capabilities("emulator"),
        cpu_cluster=cpu_cluster,
        gpu_cluster=gpu_cluster,
    )
