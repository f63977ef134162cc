"""The emulator's ``azureml.core``: the same names, backed by a local workspace folder."""

from .compute import ComputeTarget
from .environment import Environment
from .experiment import Experiment
from .run import Run
from .runconfig import RunConfiguration
from .script_run_config import ScriptRunConfig
from .workspace import Workspace

__all__ = [
    "ComputeTarget",
    "Environment",
    "Experiment",
    "Run",
    "RunConfiguration",
    "ScriptRunConfig",
    "Workspace",
]
