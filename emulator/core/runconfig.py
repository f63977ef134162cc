"""``RunConfiguration`` and the distributed job configurations, recorded on runs as in the SDK."""

from __future__ import annotations

from .conda_dependencies import CondaDependencies
from .environment import Environment


class RunConfiguration:
    """Where and in what environment a script runs: ``target``, ``environment``, ``node_count``, ..."""

    def __init__(
        self,
        script=None,
        arguments=None,
        framework=None,
        communicator=None,
        conda_dependencies=None,
        _history_enabled=None,
        _path=None,
        _name=None,
        command=None,
    ):
        self.script = script
        self.arguments = list(arguments or [])
        self.command = command
        self.framework = framework or "Python"
        self.communicator = communicator or "None"
        self.target = "local"
        self.environment = Environment("default-environment")
        if isinstance(conda_dependencies, CondaDependencies):
            self.environment.python.conda_dependencies = conda_dependencies
        self.node_count = 1
        self.max_run_duration_seconds = None
        self.environment_variables = {}
        self.history = {"outputCollection": True}


class MpiConfiguration:
    def __init__(self, process_count_per_node=1, node_count=1):
        self.process_count_per_node = process_count_per_node
        self.node_count = node_count


class PyTorchConfiguration:
    def __init__(self, communication_backend="Nccl", process_count=None, node_count=1):
        self.communication_backend = communication_backend
        self.process_count = process_count
        self.node_count = node_count
