"""The scoring server in a Docker container built from ``deployments/Dockerfile``.

The image holds Python, numpy, onnxruntime and this server only; the service folder (entry
script, models, keys) is bind-mounted read-only at ``/var/azureml-app``, so one image serves
every deployment and a regenerated key reaches the container at once. The container publishes
its port on 127.0.0.1 only.
"""

from __future__ import annotations

from typing import Any

import docker
from docker.errors import NotFound

from .hosts import Host, ServiceSpec
from .image import scoring_image

APP_ROOT = "/var/azureml-app"
CONTAINER_PORT = 5001
LABEL = "automl-duel.webservice"


def docker_client() -> docker.DockerClient:
    """A client for the engine named by ``DOCKER_HOST`` (or the default socket), checked with a ping."""
    client = docker.from_env()
    client.ping()
    return client


class DockerHost(Host):
    name = "docker"

    def __init__(self) -> None:
        self._client = docker_client()

    def start(self, spec: ServiceSpec) -> dict[str, Any]:
        image = scoring_image(self._client)
        environment = {
            "AZUREML_MODEL_DIR": f"{APP_ROOT}/{spec.model_dir}",
            "AZUREML_ENTRY_SCRIPT": f"{APP_ROOT}/{spec.entry_script}",
            "DUEL_SCORING_MAX_BODY_BYTES": str(spec.max_body_bytes),
        }
        if spec.keys_file:
            environment["DUEL_SCORING_KEYS_FILE"] = f"{APP_ROOT}/{spec.keys_file}"
        limits: dict[str, Any] = {}
        if spec.cpu_cores:
            limits["nano_cpus"] = int(spec.cpu_cores * 1e9)
        if spec.memory_gb:
            limits["mem_limit"] = f"{int(spec.memory_gb * 1024)}m"
        container = self._client.containers.run(
            image,
            command=["--workers", str(spec.workers)],
            detach=True,
            environment=environment,
            volumes={str(spec.folder): {"bind": APP_ROOT, "mode": "ro"}},
            ports={f"{CONTAINER_PORT}/tcp": ("127.0.0.1", spec.port)},
            labels={LABEL: spec.folder.name},
            **limits,
        )
        return {"container": container.id, "image": image}

    def _container(self, handle: dict[str, Any]):
        try:
            return self._client.containers.get(handle["container"])
        except NotFound:
            return None

    def alive(self, handle: dict[str, Any]) -> bool:
        container = self._container(handle)
        return container is not None and container.status in ("created", "running")

    def logs(self, handle: dict[str, Any], num_lines: int) -> str:
        container = self._container(handle)
        return container.logs(tail=num_lines).decode("utf-8", "replace") if container else ""

    def stop(self, handle: dict[str, Any]) -> None:
        container = self._container(handle)
        if container is None:
            return
        try:
            container.remove(force=True)
        except NotFound:
            pass
