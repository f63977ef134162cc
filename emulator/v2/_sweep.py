"""A v2 sweep job run by the emulator's HyperDrive: its search space (the same ``[kind, [args]]``
form both SDKs send), sampling, objective, limits and early termination become a ``HyperDriveConfig``
whose parent run id is the job's name; each trial runs the v2 trial command (see ``_trial``)."""

from __future__ import annotations

import re
import shlex

from . import _command

_SAMPLERS = {
    "random": "RandomParameterSampling",
    "grid": "GridParameterSampling",
    "bayesian": "BayesianParameterSampling",
}


def minutes(timeout: str | None) -> int:
    """Whole minutes of an ISO-8601 duration (``PT2H30M``, ``PT600S``), rounded up; 10 days without one."""
    if not timeout:
        return 14400
    found = re.fullmatch(r"P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?", timeout)
    if not found:
        raise _command.JobInputError(f"limits.timeout {timeout!r} is not an ISO-8601 duration")
    days, hours, minutes, seconds = (float(part or 0) for part in found.groups())
    return max(1, int(-(-(days * 1440 + hours * 60 + minutes + seconds / 60) // 1)))


def _policy(termination: dict | None):
    from ..train.hyperdrive import policy

    if not termination:
        return None
    kind = termination.get("policyType")
    common = {
        "evaluation_interval": termination.get("evaluationInterval", 0),
        "delay_evaluation": termination.get("delayEvaluation", 0),
    }
    if kind == "Bandit":
        slack = (
            {"slack_factor": termination["slackFactor"]}
            if termination.get("slackFactor")
            else {"slack_amount": termination.get("slackAmount")}
        )
        return policy.BanditPolicy(**common, **slack)
    if kind == "MedianStopping":
        return policy.MedianStoppingPolicy(**common)
    if kind == "TruncationSelection":
        return policy.TruncationSelectionPolicy(
            truncation_percentage=termination["truncationPercentage"], **common
        )
    raise _command.JobInputError(
        f"earlyTermination.policyType {kind!r} is not Bandit, MedianStopping or TruncationSelection"
    )


def start(surface, name: str, properties: dict):
    """Start sweep job ``name`` (``properties`` of a Sweep job) on HyperDrive; its ``HyperDriveRun``."""
    from ..core import Environment, Experiment, ScriptRunConfig
    from ..train.hyperdrive import PrimaryMetricGoal, runconfig, sampling

    trial, objective, limits = properties["trial"], properties["objective"], properties.get("limits") or {}
    space = properties["searchSpace"]
    inputs = {key: value for key, value in (properties.get("inputs") or {}).items() if key not in space}
    outputs_root = surface.store.folder("v2-outputs", name)
    swept = re.compile(r"\$\{\{\s*(?:search_space|inputs)\.(" + "|".join(map(re.escape, space)) + r")\s*\}\}")
    # Keep the swept names for the trial; bind every other input now.
    held = swept.sub(lambda found: f"@@{found.group(1)}@@", trial["command"])
    template = re.sub(
        r"@@(\w+)@@", r"${{search_space.\1}}", _command.bind(surface, held, inputs, outputs_root)
    )
    code_id = trial.get("codeId")
    source = (
        _command.blob_path(surface, _command.asset(surface, code_id)["properties"]["codeUri"])
        if code_id
        else outputs_root
    )
    environment = Environment(f"v2-{name}")
    # Each trial logs MLflow to its own run (see _trial), not to the sweep's.
    injected = {k: v for k, v in surface.job_environment(name).items() if k != "MLFLOW_RUN_ID"}
    environment.environment_variables = {**injected, **(trial.get("environmentVariables") or {})}
    config = ScriptRunConfig(
        source_directory=str(source),
        command=f"python -m emulator.v2._trial {shlex.quote(template)}",
        environment=environment,
    )
    algorithm = properties["samplingAlgorithm"]["samplingAlgorithmType"].lower()
    sampler = getattr(sampling, _SAMPLERS[algorithm])({f"--{key}": value for key, value in space.items()})
    goal = (
        PrimaryMetricGoal.MINIMIZE if objective["goal"].lower() == "minimize" else PrimaryMetricGoal.MAXIMIZE
    )
    hyperdrive = runconfig.HyperDriveConfig(
        run_config=config,
        hyperparameter_sampling=sampler,
        primary_metric_name=objective["primaryMetric"],
        primary_metric_goal=goal,
        max_total_runs=limits.get("maxTotalTrials") or 1000,
        max_concurrent_runs=limits.get("maxConcurrentTrials"),
        max_duration_minutes=minutes(limits.get("timeout")),
        policy=_policy(properties.get("earlyTermination")),
        custom_run_id=name,
    )
    experiment = Experiment(surface.workspace, properties.get("experimentName") or "Default")
    return experiment.submit(hyperdrive, tags=properties.get("tags") or {})
