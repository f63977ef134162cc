"""``HyperDriveConfig``: what a sweep runs, how it samples, what it optimizes and when it stops."""

from __future__ import annotations

from typing import Any

from emulator.train.hyperdrive._goal import PrimaryMetricGoal
from emulator.train.hyperdrive.exceptions import HyperDriveConfigException
from emulator.train.hyperdrive.policy import EarlyTerminationPolicy, NoTerminationPolicy
from emulator.train.hyperdrive.sampling import BayesianParameterSampling, HyperParameterSampling

__all__ = ["HyperDriveConfig", "PrimaryMetricGoal"]

MAX_DURATION_MINUTES = 10080
_MAX_RESUME_FROM = 5


def _positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise HyperDriveConfigException(f"{name} expects a positive integer, got {value!r}.")


class HyperDriveConfig:
    """The configuration of a HyperDrive sweep, submitted with ``Experiment.submit``.

    As in the SDK, a Bayesian sampler combined with an early-termination policy, or
    ``max_total_runs=0``, is accepted here and refused when the sweep is submitted.
    ``max_concurrent_runs=None`` runs as many trials at once as the local machine has cores
    (the SDK gates it on the compute target's nodes).
    """

    def __init__(
        self,
        hyperparameter_sampling,
        primary_metric_name,
        primary_metric_goal,
        max_total_runs,
        max_concurrent_runs=None,
        max_duration_minutes=MAX_DURATION_MINUTES,
        policy=None,
        estimator=None,
        run_config=None,
        resume_from=None,
        resume_child_runs=None,
        pipeline=None,
        debug_flag=None,
        custom_run_id=None,
    ):
        if not isinstance(hyperparameter_sampling, HyperParameterSampling):
            raise HyperDriveConfigException(
                "hyperparameter_sampling expects a RandomParameterSampling, GridParameterSampling or "
                "BayesianParameterSampling."
            )
        if not isinstance(primary_metric_name, str) or not primary_metric_name:
            raise HyperDriveConfigException("primary_metric_name expects a non-empty string.")
        if not isinstance(primary_metric_goal, PrimaryMetricGoal):
            raise HyperDriveConfigException(
                "primary_metric_goal expects PrimaryMetricGoal.MAXIMIZE or PrimaryMetricGoal.MINIMIZE."
            )
        if isinstance(max_total_runs, bool) or not isinstance(max_total_runs, int) or max_total_runs < 0:
            raise HyperDriveConfigException(
                f"max_total_runs expects a positive integer, got {max_total_runs!r}."
            )
        if max_concurrent_runs is not None:
            _positive_int("max_concurrent_runs", max_concurrent_runs)
        _positive_int("max_duration_minutes", max_duration_minutes)
        if policy is None:
            policy = NoTerminationPolicy()
        if not isinstance(policy, EarlyTerminationPolicy):
            raise HyperDriveConfigException(
                "policy expects an early termination policy such as BanditPolicy."
            )
        if sum(x is not None for x in (estimator, run_config, pipeline)) != 1:
            raise HyperDriveConfigException(
                "Exactly one of the estimator, run_config or pipeline parameters must be specified."
            )
        if run_config is None:
            raise HyperDriveConfigException(
                "The emulator runs HyperDrive trials from run_config=ScriptRunConfig(...) only; "
                "estimators and pipelines are not emulated."
            )
        resume_from = list(resume_from or [])
        if len(resume_from) > _MAX_RESUME_FROM:
            raise HyperDriveConfigException(
                f"resume_from expects at most {_MAX_RESUME_FROM} HyperDrive runs, got {len(resume_from)}."
            )
        self._hyperparameter_sampling = hyperparameter_sampling
        self._policy = policy
        self._primary_metric_goal = primary_metric_goal
        self._generator_config = hyperparameter_sampling.to_json()
        self._policy_config = policy.to_json()
        self._primary_metric_config = {"name": primary_metric_name, "goal": primary_metric_goal.value.lower()}
        self._max_total_runs = max_total_runs
        self._max_concurrent_runs = max_concurrent_runs
        self._max_duration_minutes = max_duration_minutes
        self._platform_config = {"Platform": "AML"}
        self._resume_from = resume_from
        self._resume_child_runs = list(resume_child_runs or [])
        self._debug_flag = debug_flag
        self._custom_run_id = custom_run_id
        self.estimator = estimator
        self.run_config = run_config
        self.pipeline = pipeline

    def _validate_for_submit(self) -> None:
        """The checks the SDK leaves to submission."""
        if self._max_total_runs <= 0:
            raise HyperDriveConfigException(
                f"max_total_runs expects a positive integer, got {self._max_total_runs!r}."
            )
        if isinstance(self._hyperparameter_sampling, BayesianParameterSampling) and not isinstance(
            self._policy, NoTerminationPolicy
        ):
            raise HyperDriveConfigException(
                "No early termination policy is currently supported with Bayesian sampling."
            )

    def _submit_to(self, experiment, tags=None, **kwargs):
        """Start the sweep in ``experiment`` and return its ``HyperDriveRun`` at once."""
        from emulator.train.hyperdrive._submit import _submit_sweep

        return _submit_sweep(self, experiment, tags=tags, **kwargs)
