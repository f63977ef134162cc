"""``ScriptRunConfig``: a script, its arguments and where it runs; submitting it launches a process."""

from __future__ import annotations

from .runconfig import RunConfiguration


class ScriptRunConfig:
    """Run ``script`` from ``source_directory`` with ``arguments`` on ``compute_target``.

    ``compute_target`` and ``environment`` are stored on ``run_config`` as in the SDK.
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
        self.distributed_job_config = distributed_job_config
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
