"""``InferenceConfig``: the entry script a scoring service runs and the folder it needs.

The SDK exports it from ``azureml.core.model``; the web service code consumes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..exceptions import WebserviceException


class InferenceConfig:
    """The entry script (with ``init()`` and ``run(raw_data)``) and the folder it needs.

    ``runtime``, ``conda_file``, ``base_image`` and ``environment`` are kept, the environment's
    definition also on the service record; the emulator serves every model with the project's own
    environment (or the slim scoring image).
    """

    def __init__(
        self,
        entry_script,
        runtime=None,
        conda_file=None,
        extra_docker_file_steps=None,
        source_directory=None,
        enable_gpu=None,
        description=None,
        base_image=None,
        base_image_registry=None,
        cuda_version=None,
        environment=None,
    ):
        self.entry_script = entry_script
        self.runtime = runtime
        self.conda_file = conda_file
        self.extra_docker_file_steps = extra_docker_file_steps
        self.source_directory = source_directory
        self.enable_gpu = enable_gpu
        self.description = description
        self.base_image = base_image
        self.base_image_registry = base_image_registry
        self.cuda_version = cuda_version
        self.environment = environment
        self.validate_configuration()

    def _entry_path(self) -> Path:
        return Path(self.source_directory or ".") / self.entry_script

    def validate_configuration(self):
        """Raise ``WebserviceException`` naming every problem with this configuration."""
        errors = []
        if not self.entry_script:
            errors.append("Error, an entry_script must be provided.")
        else:
            if self.source_directory and not Path(self.source_directory).is_dir():
                errors.append(f"Error, source_directory {self.source_directory} does not exist.")
            elif not self._entry_path().is_file():
                errors.append(f"Error, unable to find entry_script at path {self._entry_path()}.")
            if Path(self.entry_script).suffix != ".py":
                errors.append("Error, the emulator serves Python entry scripts (.py) only.")
        if self.runtime is not None and self.runtime.lower() not in ("python", "spark-py"):
            errors.append(f'Error, provided runtime "{self.runtime}" is not supported; use "python".')
        if self.environment is not None and (self.runtime or self.conda_file or self.base_image):
            errors.append("Error, environment cannot be combined with runtime, conda_file or base_image.")
        if errors:
            raise WebserviceException("\n".join(errors))

    def _to_dict(self) -> dict[str, Any]:
        source = str(Path(self.source_directory).resolve()) if self.source_directory else None
        environment = self.environment._to_dict() if self.environment is not None else None
        return {"entryScript": str(self.entry_script), "sourceDirectory": source, "environment": environment}
