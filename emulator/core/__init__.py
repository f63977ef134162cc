"""The emulator's ``azureml.core``: the same names, backed by a local workspace folder."""

from .compute import ComputeTarget
from .dataset import Dataset
from .datastore import Datastore
from .environment import Environment
from .experiment import Experiment
from .model import Model
from .model_package import ContainerRegistry
from .run import Run
from .runconfig import RunConfiguration
from .script_run_config import ScriptRunConfig
from .workspace import Workspace

__all__ = [
    "ComputeTarget",
    "ContainerRegistry",
    "Dataset",
    "Datastore",
    "Environment",
    "Experiment",
    "Model",
    "Run",
    "RunConfiguration",
    "ScriptRunConfig",
    "Webservice",
    "Workspace",
]


def __getattr__(name):
    # Web services pull in an HTTP client; every trial process imports this package, so load them on use.
    if name == "Webservice":
        from .webservice import Webservice

        return Webservice
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
