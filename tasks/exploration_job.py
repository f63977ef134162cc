"""The exploration's Azure ML jobs, as plain SDK v1 code: what a user of the recipe writes by hand.

``api`` is the SDK v1 namespace (``azureml.core`` and ``azureml.train.hyperdrive`` names, or the
emulator's twins), so every line here runs against Azure or offline unchanged:

* :func:`exploration_config`: ``ScriptRunConfig`` of ``training/explore.py --models ...``, with a
  ``PyTorchConfiguration`` when the network trains on several processes;
* :func:`sweep_config`: a ``HyperDriveConfig`` over ``training/train_mlp.py`` (its trials can be
  distributed too); :func:`refit_arguments` turns the best trial into the refit's arguments.
"""

from __future__ import annotations

import json
from pathlib import Path

TRAINING_DIR = Path(__file__).resolve().parents[1] / "training"
SWEEP_METRIC = "val_mae"


def distributed_config(api, process_count: int, node_count: int, gpu: bool):
    """``PyTorchConfiguration`` for ``process_count`` ranks (nccl on GPU nodes, gloo on CPU), or None."""
    if process_count <= 1:
        return None
    return api.PyTorchConfiguration(
        communication_backend="Nccl" if gpu else "Gloo", process_count=process_count, node_count=node_count
    )


def exploration_config(api, compute, arguments: list[str], distributed=None):
    """The exploration script with the switchboard's ``arguments`` on ``compute``."""
    return api.ScriptRunConfig(
        source_directory=str(TRAINING_DIR),
        script="explore.py",
        arguments=arguments,
        compute_target=compute,
        distributed_job_config=distributed,
    )


def sweep_config(api, compute, data_arguments: list[str], *, epochs: int, runs: int, distributed=None):
    """A small random sweep of the MLP's shape and optimiser with Bandit early termination."""
    trial = api.ScriptRunConfig(
        source_directory=str(TRAINING_DIR),
        script="train_mlp.py",
        arguments=[*data_arguments, "--epochs", str(epochs)],
        compute_target=compute,
        distributed_job_config=distributed,
    )
    sampling = api.RandomParameterSampling(
        {
            "--hidden-1": api.choice(64, 128, 256),
            "--hidden-2": api.choice(0, 32, 64),
            "--lr": api.loguniform(-7.6, -5.8),
            "--batch-size": api.choice(128, 256),
        }
    )
    return api.HyperDriveConfig(
        run_config=trial,
        hyperparameter_sampling=sampling,
        policy=api.BanditPolicy(evaluation_interval=1, slack_factor=0.1, delay_evaluation=5),
        primary_metric_name=SWEEP_METRIC,
        primary_metric_goal=api.PrimaryMetricGoal.MINIMIZE,
        max_total_runs=runs,
        max_concurrent_runs=1,
    )


def refit_arguments(sweep, best) -> list[str]:
    """The best trial's sampled hyperparameters as command-line arguments (``["--lr", "0.001", ...]``)."""
    sampled = json.loads(sweep.get_hyperparameters()[best.id])
    return [str(item) for name, value in sampled.items() for item in (name, value)]


def submit_and_wait(experiment, config, tags: dict[str, str]):
    """Submit ``config`` and block until it ends; a failed run raises the SDK's ActivityFailedException."""
    run = experiment.submit(config, tags=tags)
    run.wait_for_completion(show_output=False, raise_on_error=True)
    return run
