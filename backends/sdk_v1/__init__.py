"""The duel's Azure ML steps as plain SDK v1 code: what an Azure ML user writes.

Each step takes a workspace and a request from :mod:`backends.messages` and returns an answer
from it. The modules import ``azureml`` by its own names and nothing of the project's tasks or of
Prefect: under the emulator's import hook (:mod:`emulator.hook`) they drive the emulator, with the
SDK v1 installed they drive Azure, so the offline duel runs exactly the code Azure runs.
"""

from backends.sdk_v1 import datasets, environments, exploration, jobs, models, runs, services, workspace

__all__ = ["datasets", "environments", "exploration", "jobs", "models", "runs", "services", "workspace"]
