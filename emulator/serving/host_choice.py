"""Which host serves a web service: the process host unless the service or the environment names docker."""

from __future__ import annotations

import os

from .hosts import Host, ProcessHost


def host_named(name: str) -> Host:
    """The host strategy called ``name`` (``process`` or ``docker``)."""
    if name == ProcessHost.name:
        return ProcessHost()
    if name == "docker":
        from .docker_host import DockerHost  # needs the docker SDK and an engine

        return DockerHost()
    raise ValueError(f"unknown web service host {name!r}: expected 'process' or 'docker'")


def default_host_name() -> str:
    """``DUEL_EMULATOR_WEBSERVICE_HOST`` (``process`` unless set), for ACI and local services."""
    return os.environ.get("DUEL_EMULATOR_WEBSERVICE_HOST", ProcessHost.name)
