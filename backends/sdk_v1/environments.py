"""The two registered environments: CUDA training on the GPU cluster, onnxruntime serving on ACI.

Each is defined by a conda file under ``deployments/environments/`` (versioned with the code) and
registered under its name; the service keeps one version per distinct definition. Jobs then take
the registered environment with ``Environment.get``, so an environment that was never registered
fails before submission, on Azure and under the emulator alike.
"""

from __future__ import annotations

from pathlib import Path

from azureml.core import Environment
from azureml.core.environment import DEFAULT_CPU_IMAGE, DEFAULT_GPU_IMAGE

FOLDER = Path(__file__).resolve().parents[2] / "deployments" / "environments"
TRAINING = "duel-training"
SERVING = "duel-serving"
# name -> (conda file, base image)
_DEFINITIONS = {
    TRAINING: ("training.yml", DEFAULT_GPU_IMAGE),
    SERVING: ("serving.yml", DEFAULT_CPU_IMAGE),
}


def definition(name: str) -> Environment:
    """The environment ``name`` as its file defines it (not registered)."""
    conda_file, image = _DEFINITIONS[name]
    environment = Environment.from_conda_specification(name, str(FOLDER / conda_file))
    environment.docker.base_image = image
    return environment


def register_all(workspace) -> dict[str, str]:
    """Register both definitions; returns {name: registered version}."""
    return {name: str(definition(name).register(workspace).version) for name in _DEFINITIONS}


def registered(workspace, name: str) -> Environment:
    """The latest registered version of ``name``; the SDK raises if it was never registered."""
    return Environment.get(workspace, name)
