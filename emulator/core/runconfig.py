"""``RunConfiguration`` and the distributed job configurations, recorded on runs as in the SDK."""

from __future__ import annotations

from ..exceptions import RunConfigurationException
from .conda_dependencies import CondaDependencies
from .environment import Environment

_PYTORCH_BACKENDS = ("nccl", "gloo")


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
        self.mpi = MpiConfiguration()
        self.pytorch = PyTorchConfiguration()
        self.max_run_duration_seconds = None
        self.environment_variables = {}
        self.history = {"outputCollection": True}


class MpiConfiguration:
    """An MPI (Horovod-style) job: ``process_count_per_node`` processes on each of ``node_count`` nodes."""

    def __init__(self, process_count_per_node=1, node_count=1):
        self.process_count_per_node = process_count_per_node
        self.node_count = node_count


class PyTorchConfiguration:
    """A ``torch.distributed`` job: ``process_count`` processes in all (default: one per node) on
    ``node_count`` nodes, talking over ``communication_backend`` ("Nccl" or "Gloo", stored lower-case)."""

    def __init__(self, communication_backend="Nccl", process_count=None, node_count=1):
        if communication_backend.lower() not in _PYTORCH_BACKENDS:
            raise RunConfigurationException(
                f"{communication_backend} is not a supported backend. 'communication_backend' "
                "must be 'Nccl' or 'Gloo'."
            )
        self.communication_backend = communication_backend.lower()
        self.process_count = process_count
        self.node_count = node_count
