"""The two registered environments as SDK v2 ``Environment`` assets, from the repository's conda files.

The same files as the SDK v1 path (``deployments/environments/``). A version is the hash of its
definition, so registering is idempotent and a changed pin registers a new version by itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from azure.ai.ml.entities import Environment

FOLDER = Path(__file__).resolve().parents[2] / "deployments" / "environments"
TRAINING = "duel-training"
SERVING = "duel-serving"
# name -> (conda file, base image): Azure ML's CUDA image for the GPU trials, its CPU image to serve.
DEFINITIONS = {
    TRAINING: ("training.yml", "mcr.microsoft.com/azureml/openmpi4.1.0-cuda11.8-cudnn8-ubuntu22.04:latest"),
    SERVING: ("serving.yml", "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest"),
}


def version(name: str) -> str:
    """The version ``name`` registers as: a digest of its conda file and base image."""
    conda_file, image = DEFINITIONS[name]
    digest = hashlib.sha256((FOLDER / conda_file).read_bytes() + image.encode()).hexdigest()
    return digest[:12]


def definition(name: str) -> Environment:
    """The environment ``name`` as its file defines it (not registered)."""
    conda_file, image = DEFINITIONS[name]
    return Environment(
        name=name,
        version=version(name),
        conda_file=str(FOLDER / conda_file),
        image=image,
        description=f"automl-duel, from deployments/environments/{conda_file}",
    )


def reference(name: str) -> str:
    """How a job names the registered version of ``name``."""
    return f"azureml:{name}:{version(name)}"


def latest(name: str) -> str:
    """How a job names the newest registered version of ``name``."""
    return f"azureml:{name}@latest"


def register_all(ml_client) -> dict[str, str]:
    """Register both definitions; returns {name: job reference}."""
    for name in DEFINITIONS:
        ml_client.environments.create_or_update(definition(name))
    return {name: reference(name) for name in DEFINITIONS}
