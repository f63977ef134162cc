"""``ScriptRunConfig``: a script, its arguments and where it runs; submitting it launches a process."""

from __future__ import annotations

from ..exceptions import RunConfigurationException
from .runconfig import MpiConfiguration, PyTorchConfiguration, RunConfiguration


class ScriptRunConfig:
    """Run ``script`` from ``source_directory`` with ``arguments`` on ``compute_target``.

    ``compute_target``, ``environment`` and ``distributed_job_config`` are stored on ``run_config``
    as in the SDK (``node_count``, ``pytorch``/``mpi``, ``framework``, ``communicator``); a
    distributed run starts one process per rank (see ``_distributed``).
    """

    MAX_DURATION_SECONDS_DEFAULT = 2592000

    def __init__(
        self,
        source_directory,
        script=None,
        arguments=None,
        run_config=None,
        _telemetry_values=None,
        compute_target=None,
        environment=None,
        distributed_job_config=None,
        resume_from=None,
        max_run_duration_seconds=MAX_DURATION_SECONDS_DEFAULT,
        command=None,
        docker_runtime_config=None,
    ):
        self.source_directory = source_directory
        self.script = script
        self.command = command
        self.arguments = list(arguments) if arguments is not None else []
        self.run_config = run_config if run_config is not None else RunConfiguration()
        self.run_config.script = script
        self.run_config.arguments = self.arguments
        if compute_target is not None:
            self.run_config.target = compute_target
        if environment is not None:
            self.run_config.environment = environment
        self.run_config.max_run_duration_seconds = max_run_duration_seconds
        if distributed_job_config is not None:
            _apply_distributed(self.run_config, distributed_job_config)
        self.resume_from = resume_from
        self.max_run_duration_seconds = max_run_duration_seconds

    @property
    def compute_target(self):
        return self.run_config.target

    @property
    def environment(self):
        return self.run_config.environment

    def _submit_to(self, experiment, tags=None, **kwargs):
        from ._launch import start_script_run

        return start_script_run(experiment, self, tags=tags)


def _apply_distributed(run_config: RunConfiguration, job_config) -> None:
    if isinstance(job_config, MpiConfiguration):
        run_config.mpi, run_config.framework, run_config.communicator = job_config, "Python", "IntelMpi"
    elif isinstance(job_config, PyTorchConfiguration):
        run_config.pytorch, run_config.framework = job_config, "PyTorch"
        run_config.communicator = job_config.communication_backend
    else:
        raise RunConfigurationException(
            "'distributed_job_config' must be an 'azureml.core.runconfig.MpiConfiguration' or "
            "'azureml.core.runconfig.PyTorchConfiguration' object (the emulator runs no TensorFlow "
            f"parameter-server jobs), got {type(job_config).__name__}"
        )
    run_config.node_count = job_config.node_count
