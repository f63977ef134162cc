"""``Model.package``: models and their entry script in a Docker image of the scoring server, or the
Dockerfile and build context to make one.

The context is the scoring image's own (``deployments/Dockerfile``: Python, numpy, onnxruntime and
the emulator's server) with the service folder copied in at ``/var/azureml-app`` (entry script,
source directory, ``azureml-models/``) and the variables Azure sets: a container of the image
serves the models with nothing mounted. The package is made when ``Model.package`` is called, so
``wait_for_creation`` returns at once; a failed build leaves the package ``Failed`` with the build's
log, as on Azure. Images go to the local Docker engine, which stands in for the workspace's registry.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

from ..exceptions import WebserviceException

_CONTEXT = "context"
_LOG = "build.log"
_OPERATION = "operation.json"


class ContainerRegistry:
    """Where a package's image is: the address of a registry and the credentials to log in with."""

    def __init__(self):
        self.address = None
        self.username = None
        self.password = None

    def __repr__(self):
        return f"ContainerRegistry(address={self.address})"


class ModelPackage:
    """The result of ``Model.package``: a Docker image (``pull``) or a Dockerfile build context (``save``)."""

    def __init__(self, workspace, operation_id, environment):
        self.workspace = workspace
        self._operation_id = operation_id
        self._environment = environment
        self.update_creation_state()

    def __repr__(self):
        shown = f"workspace={self.workspace!r}, generate_dockerfile={self.generate_dockerfile}, state={self.state}"
        if not self.generate_dockerfile and self.state == "Succeeded":
            shown += f", location={self.location}"
        return f"ModelPackage({shown})"

    @property
    def _folder(self) -> Path:
        return self.workspace._store.folder("packages", self._operation_id)

    def _require_succeeded(self) -> None:
        if self.state != "Succeeded":
            self.wait_for_creation(show_output=True)

    def update_creation_state(self):
        """Read the package's state, location and error from the workspace."""
        path = self._folder / _OPERATION
        if not path.is_file():
            raise WebserviceException(f"Error, no package operation {self._operation_id} in this workspace.")
        operation = json.loads(path.read_text())
        self.generate_dockerfile = operation["operationType"] == "PackageDockerBuildContext"
        self.error = operation.get("error")
        self.location = operation.get("resourceLocation")
        self.package_build_log_uri = str(self._folder / _LOG)
        self.state = operation["state"]

    def wait_for_creation(self, show_output=False):
        """Raise ``WebserviceException`` unless the package was made (it is made by ``Model.package``)."""
        self.update_creation_state()
        if show_output:
            print(self.get_logs(), end="")
            print(f"Package creation {self.state}")
        if self.state != "Succeeded":
            error = self.error
            if error and "statusCode" in error and "message" in error:
                error = f"StatusCode: {error['statusCode']}\nMessage: {error['message']}"
            raise WebserviceException(
                "Package creation reached non-successful terminal state.\n"
                f"State: {self.state}\nError:\n{error}\n"
            )

    def get_logs(self, decode=True, offset=0):
        """The build log from byte ``offset`` on (empty when there is none)."""
        path = Path(self.package_build_log_uri)
        data = path.read_bytes()[offset:] if path.is_file() else b""
        return data.decode("utf-8", "replace") if decode else data

    def get_container_registry(self):
        """The registry holding the image: the local Docker engine, no login needed."""
        self._require_succeeded()
        registry = ContainerRegistry()
        registry.address = "localhost"
        return registry

    def pull(self):
        """Check that the image is in the local Docker engine (it was built there: nothing to download)."""
        if self.generate_dockerfile:
            raise WebserviceException("A Dockerfile package cannot be pulled. Use save() instead.")
        self._require_succeeded()
        from docker.errors import DockerException, ImageNotFound

        from ..serving.docker_host import docker_client

        try:
            docker_client().images.get(self.location)
        except (DockerException, ImageNotFound) as error:
            raise WebserviceException(
                f"Error, image {self.location} is not in the local Docker engine: {error}"
            ) from error

    def save(self, output_directory):
        """Copy the Dockerfile and its build context into ``output_directory`` (``docker build`` it there)."""
        if not self.generate_dockerfile:
            raise WebserviceException(
                "Docker images cannot be saved to a local directory. Use pull() instead."
            )
        target = Path(output_directory)
        if target.exists() and not target.is_dir():
            raise WebserviceException(f"Error, output path is not a directory: {output_directory}")
        self._require_succeeded()
        shutil.copytree(self._folder / _CONTEXT, target, dirs_exist_ok=True)

    def serialize(self):
        return {
            "generateDockerfile": self.generate_dockerfile,
            "state": self.state,
            "location": self.location,
        }


def package(
    workspace, models, inference_config, generate_dockerfile, image_name, image_label
) -> ModelPackage:
    """Stage the models and source into a build context, build its image unless asked for the
    context only, and record the outcome as the package operation."""
    if inference_config is None:
        raise WebserviceException(
            "Error, the emulator packages models with an InferenceConfig (Azure's no-code packaging is not emulated)."
        )
    if inference_config.environment is None:
        raise WebserviceException(
            "Error, model packaging requires an InferenceConfig containing an Environment object."
        )
    inference_config.validate_configuration()
    # Through the web service package (an HTTP client): imported on use, as Webservice is.
    from .webservice._staging import _stage_models, _stage_source

    operation_id = str(uuid.uuid4())
    folder = workspace._store.folder("packages", operation_id)
    context = folder / _CONTEXT
    context.mkdir(parents=True)
    app = context / "azureml-app"
    app.mkdir()
    staged = {**_stage_models(app, models), **_stage_source(app, inference_config)}
    _write_context(context, staged)
    operation = {
        "operationType": "PackageDockerBuildContext" if generate_dockerfile else "PackageDockerImage",
        "state": "Succeeded",
        "models": [model["id"] for model in staged["models"]],
        "inferenceConfig": staged["inferenceConfig"],
    }
    if generate_dockerfile:
        operation["resourceLocation"] = str(context)
    else:
        tag = f"{image_name or 'azureml/azureml_' + operation_id.replace('-', '')}:{image_label or 'latest'}"
        operation.update(_build(context, tag, folder / _LOG))
    (folder / _OPERATION).write_text(json.dumps(operation, indent=2))
    return ModelPackage(workspace, operation_id, inference_config.environment)


def _write_context(context: Path, staged: dict) -> None:
    from ..serving.docker_host import APP_ROOT
    from ..serving.image import write_context

    write_context(context)
    steps = [
        f"COPY azureml-app {APP_ROOT}",
        f"ENV AZUREML_ENTRY_SCRIPT={APP_ROOT}/{staged['entryScript']} "
        f"AZUREML_MODEL_DIR={APP_ROOT}/{staged['modelDir']}",
    ]
    dockerfile = context / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().rstrip("\n") + "\n\n" + "\n".join(steps) + "\n")


def _build(context: Path, tag: str, log: Path) -> dict:
    """Build ``context`` as ``tag`` in the local engine; the operation's outcome fields."""
    from docker.errors import APIError, BuildError, DockerException

    from ..serving.docker_host import docker_client
    from ..serving.image import build_image, build_log

    try:
        client = docker_client()
    except DockerException as error:
        log.write_text(f"{error}\n")
        return _failed(503, f"no Docker engine reachable: {error}")
    try:
        log.write_text(build_image(client, context, tag))
    except BuildError as error:
        log.write_text(build_log(error.build_log))
        return _failed(400, f"the image build failed: {error.msg}")
    except APIError as error:
        log.write_text(f"{error}\n")
        return _failed(400, f"the image build failed: {error}")
    return {"state": "Succeeded", "resourceLocation": tag}


def _failed(status_code: int, message: str) -> dict:
    return {"state": "Failed", "error": {"statusCode": status_code, "message": message}}
