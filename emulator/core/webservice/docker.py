"""Emulator only: local services inside a container of ``deployments/Dockerfile``."""

from __future__ import annotations

from .local import LocalWebservice
from .webservice import WebserviceDeploymentConfiguration


class DockerServiceDeploymentConfiguration(WebserviceDeploymentConfiguration):
    def __init__(self, port=None, cpu_cores=None, memory_gb=None, auth_enabled=None):
        self.port = port
        self.cpu_cores = cpu_cores
        self.memory_gb = memory_gb
        self.auth_enabled = auth_enabled
        self.validate_configuration()


class DockerWebservice(LocalWebservice):
    """Emulator only: a local service inside a container of ``deployments/Dockerfile``.

    ``Model.deploy(ws, name, models, inference_config, DockerWebservice.deploy_configuration())``
    builds the slim scoring image (once per server version), runs it with the service folder
    mounted read-only and publishes its port on 127.0.0.1; ``delete()`` removes the container.
    Needs a reachable Docker engine (``DOCKER_HOST``).
    """

    @staticmethod
    def deploy_configuration(port=None, cpu_cores=None, memory_gb=None, auth_enabled=None):
        return DockerServiceDeploymentConfiguration(port, cpu_cores, memory_gb, auth_enabled)

    @staticmethod
    def _host_name() -> str:
        return "docker"


DockerServiceDeploymentConfiguration._webservice_type = DockerWebservice
