"""``CondaDependencies``: a conda environment specification, kept as the YAML structure the SDK writes."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from ..exceptions import UserErrorException

_DEFAULT = {
    "name": "project_environment",
    "dependencies": ["python=3.11", {"pip": []}],
    "channels": ["anaconda", "conda-forge"],
}


class CondaDependencies:
    """A conda specification read from ``conda_dependencies_file_path`` or a default one."""

    def __init__(self, conda_dependencies_file_path=None, _underlying_structure=None):
        if conda_dependencies_file_path is not None:
            path = Path(conda_dependencies_file_path)
            if not path.is_file():
                raise UserErrorException(f"Conda dependencies file not found: {path}")
            _underlying_structure = yaml.safe_load(path.read_text()) or {}
        self._spec = copy.deepcopy(_underlying_structure or _DEFAULT)
        self._spec.setdefault("dependencies", [])

    @staticmethod
    def create(
        pip_indexurl=None, pip_packages=None, conda_packages=None, python_version=None, pin_sdk_version=True
    ):
        spec = copy.deepcopy(_DEFAULT)
        if python_version:
            spec["dependencies"][0] = f"python={python_version}"
        dependencies = CondaDependencies(_underlying_structure=spec)
        for package in conda_packages or []:
            dependencies.add_conda_package(package)
        for package in pip_packages or []:
            dependencies.add_pip_package(package)
        if pip_indexurl:
            dependencies._pip_list().insert(0, f"--index-url {pip_indexurl}")
        return dependencies

    def _pip_list(self) -> list:
        for entry in self._spec["dependencies"]:
            if isinstance(entry, dict) and "pip" in entry:
                return entry["pip"]
        self._spec["dependencies"].append({"pip": []})
        return self._spec["dependencies"][-1]["pip"]

    @property
    def conda_packages(self):
        return iter(
            [d for d in self._spec["dependencies"] if isinstance(d, str) and not d.startswith("python=")]
        )

    @property
    def pip_packages(self):
        return iter([p for p in self._pip_list() if not p.startswith("--")])

    def add_conda_package(self, conda_package):
        if conda_package not in self._spec["dependencies"]:
            self._spec["dependencies"].append(conda_package)

    def add_pip_package(self, pip_package):
        if pip_package not in self._pip_list():
            self._pip_list().append(pip_package)

    def remove_conda_package(self, conda_package):
        self._spec["dependencies"] = [d for d in self._spec["dependencies"] if d != conda_package]

    def remove_pip_package(self, pip_package):
        pip = self._pip_list()
        pip[:] = [p for p in pip if p != pip_package]

    def add_channel(self, channel):
        self._spec.setdefault("channels", [])
        if channel not in self._spec["channels"]:
            self._spec["channels"].append(channel)

    def get_python_version(self):
        for entry in self._spec["dependencies"]:
            if isinstance(entry, str) and entry.startswith("python="):
                return entry.split("=", 1)[1]
        return None

    def serialize_to_string(self):
        return yaml.safe_dump(self._spec, sort_keys=False)

    def save(self, path=None):
        """Write the YAML to ``path`` (default ``conda_dependencies.yml``) and return the path."""
        target = Path(path or "conda_dependencies.yml")
        target.write_text(self.serialize_to_string())
        return str(target)

    def save_to_file(self, base_directory, conda_file_path=None):
        return self.save(Path(base_directory) / (conda_file_path or "conda_dependencies.yml"))

    def __eq__(self, other):
        return isinstance(other, CondaDependencies) and other._spec == self._spec
