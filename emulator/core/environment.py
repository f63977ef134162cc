"""``Environment``: a versioned software environment, built as Azure builds its image.

A run's environment is built before its script starts (``_image_build``): its pip packages are
resolved for its Python on Linux x86_64 and the build is cached by the environment's hash; a
specification that does not resolve fails the run. ``build``/``build_local`` run the same build.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..exceptions import UserErrorException
from . import _names
from ._image_build import ImageBuild, build_image
from .conda_dependencies import CondaDependencies

DEFAULT_CPU_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04"
DEFAULT_GPU_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-cuda11.8-cudnn8-ubuntu22.04"
_KIND = "environment"
_logger = logging.getLogger(__name__)


class ImageBuildDetails:
    """The outcome of ``Environment.build``: its ``status`` and ``get_log()``, as in the SDK."""

    def __init__(self, build: ImageBuild):
        self._build = build
        self.log_url = None

    @property
    def status(self) -> str:
        """``Succeeded`` or ``Failed`` (the emulator builds before returning)."""
        return self._build.status

    def get_log(self) -> str:
        """The image build log."""
        return self._build.log

    def wait_for_completion(self, show_output=True):
        """The build has already ended; with ``show_output`` its status and log are printed."""
        if show_output:
            print(f"Image Build Status: {self.status}\n")
            print(self.get_log(), end="")
        return self


class PythonSection:
    def __init__(self, **kwargs):
        self.conda_dependencies = CondaDependencies()
        self.user_managed_dependencies = False
        self.interpreter_path = "python"
        self.conda_dependencies_file = None


class DockerSection:
    def __init__(self, **kwargs):
        self.enabled = False
        self.base_image = DEFAULT_CPU_IMAGE
        self.base_dockerfile = None
        self.base_image_registry = None
        self.shm_size = "2g"


class Environment:
    """A named environment; ``register`` stores a new version when its definition changed."""

    def __init__(self, name, **kwargs):
        if not name or not isinstance(name, str):
            raise UserErrorException("Environment name must be a non-empty string")
        self.name = name
        self.version = None
        self.python = PythonSection()
        self.docker = DockerSection()
        self.environment_variables = {}
        self.inferencing_stack_version = None

    @staticmethod
    def from_conda_specification(name, file_path):
        environment = Environment(name)
        environment.python.conda_dependencies = CondaDependencies(file_path)
        return environment

    @staticmethod
    def from_pip_requirements(name, file_path, pip_version=None):
        path = Path(file_path)
        if not path.is_file():
            raise UserErrorException(f"Requirements file not found: {path}")
        packages = [
            line.strip()
            for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]
        environment = Environment(name)
        environment.python.conda_dependencies = CondaDependencies.create(pip_packages=packages)
        if pip_version:
            environment.python.conda_dependencies.add_conda_package(f"pip={pip_version}")
        return environment

    def _to_dict(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "python": {
                "userManagedDependencies": self.python.user_managed_dependencies,
                "interpreterPath": self.python.interpreter_path,
                "condaDependencies": self.python.conda_dependencies._spec,
            },
            "docker": {"enabled": self.docker.enabled, "baseImage": self.docker.base_image},
            "environmentVariables": dict(self.environment_variables),
            "inferencingStackVersion": self.inferencing_stack_version,
        }

    @staticmethod
    def _from_dict(payload: dict) -> Environment:
        environment = Environment(payload["name"])
        environment.version = payload.get("version")
        python = payload.get("python", {})
        environment.python.user_managed_dependencies = python.get("userManagedDependencies", False)
        environment.python.interpreter_path = python.get("interpreterPath", "python")
        environment.python.conda_dependencies = CondaDependencies(
            _underlying_structure=python.get("condaDependencies")
        )
        docker = payload.get("docker", {})
        environment.docker.enabled = docker.get("enabled", False)
        environment.docker.base_image = docker.get("baseImage", DEFAULT_CPU_IMAGE)
        environment.environment_variables = dict(payload.get("environmentVariables", {}))
        environment.inferencing_stack_version = payload.get("inferencingStackVersion")
        return environment

    def register(self, workspace):
        """Store this definition as the next version (or return the latest if unchanged)."""
        _names.environment_name(self.name)
        versions = (workspace._store.get_asset(_KIND, self.name) or {}).get("versions", [])
        definition = {**self._to_dict(), "version": None}
        if versions and {**versions[-1], "version": None} == definition:
            return Environment._from_dict(versions[-1])
        definition["version"] = str(len(versions) + 1)
        workspace._store.put_asset(_KIND, self.name, {"name": self.name, "versions": [*versions, definition]})
        return Environment._from_dict(definition)

    @staticmethod
    def get(workspace, name, version=None, label=None):
        versions = (workspace._store.get_asset(_KIND, name) or {}).get("versions", [])
        chosen = [v for v in versions if version is None or v["version"] == str(version)]
        if not chosen:
            raise UserErrorException(
                f"Environment {name}"
                + (f" version {version}" if version else "")
                + " was not found in the workspace"
            )
        return Environment._from_dict(chosen[-1])

    @staticmethod
    def list(workspace):
        """{name: latest version} of the registered environments."""
        return {
            a["name"]: Environment._from_dict(a["versions"][-1]) for a in workspace._store.list_assets(_KIND)
        }

    def build(self, workspace, image_build_compute=None):
        """Register this environment (if needed) and build its image in the workspace.

        Args:
            workspace: The workspace whose registry (here: the build cache) keeps the image.
            image_build_compute: Accepted as the SDK accepts it; the emulator builds in-process.

        Returns:
            The ``ImageBuildDetails`` of the build.
        """
        if self.version is None:
            _logger.warning(
                "Building a non-registered environment is not supported. Registering environment."
            )
        registered = self.register(workspace)
        return ImageBuildDetails(build_image(registered._to_dict()))

    def build_local(self, workspace, platform=None, **kwargs):
        """Build this registered environment on this machine, printing the build's output.

        Args:
            workspace: The workspace the environment is registered in.
            platform: ``Linux`` (default); the image Azure builds is Linux x86_64 whatever is asked.
            **kwargs: The SDK's advanced options (``useDocker``, ...), accepted and not acted on.

        Raises:
            UserErrorException: The environment is not registered.
            Exception: The build failed (the SDK's "Building environment failed with exit code").
        """
        if self.version is None or not any(
            v["version"] == str(self.version)
            for v in (workspace._store.get_asset(_KIND, self.name) or {}).get("versions", [])
        ):
            raise UserErrorException(f"Environment '{self.name}' is not registered")
        build = build_image(self._to_dict())
        print(build.log, end="")
        if not build.succeeded:
            raise Exception("Building environment failed with exit code: 1")

    def __repr__(self):
        return f"Environment(Name: {self.name},\nVersion: {self.version})"
