"""Build every real SDK v1 object the Azure path builds, and print their serialized forms as JSON.

Runs in ``.venv-azure`` (the real SDK, no emulator): reads the duel's requests on stdin (encoded
:mod:`backends.messages`, made from the flow's settings by ``test_azure_sdk_objects.py``), builds
the objects with the step code itself (:mod:`backends.sdk_v1`) and prints what the SDK would send:
the run configuration, the HyperDrive, AutoML and cluster settings, the inference environment and
the ACI payload. Nothing is contacted: compute targets are passed by name and the training data is
an unresolved dataset reference.
"""

from __future__ import annotations

import json
import sys

from azureml.core import Dataset, Environment
from azureml.core._serialization_utils import _serialize_to_dict
from azureml.core.compute import AmlCompute
from azureml.core.script_run_config import get_run_config_from_script_run

from backends.sdk_process import decode
from backends.sdk_v1 import clusters, environments, jobs, services

AUTOML_SETTINGS = (
    "task_type",
    "primary_metric",
    "compute_target",
    "label_column_name",
    "iterations",
    "experiment_timeout_minutes",
    "max_concurrent_iterations",
    "enable_onnx_compatible_models",
    "enable_early_stopping",
    "featurization",
    "whitelist_models",
)


def build(request: dict) -> dict:
    automl_job, sweep_job, deployment = (decode(request[key]) for key in ("automl", "sweep", "deployment"))
    training = Dataset.Tabular.from_delimited_files(
        path="https://example.invalid/housing-train.csv", validate=False, infer_column_types=False
    )
    automl = jobs.automl_config(automl_job, training, automl_job.compute.name)
    sweep = jobs.hyperdrive_config(
        sweep_job, sweep_job.compute.name, environments.definition(environments.TRAINING)
    )
    inference = services.inference_config(deployment, environments.definition(environments.SERVING))
    aci = services.deployment_config(deployment.target)
    serving_environment = Environment._serialize_to_dict(inference.environment)
    user_settings = {**automl.user_settings, **automl.as_serializable_dict()}
    return {
        "run_config": _serialize_to_dict(get_run_config_from_script_run(sweep.run_config)),
        "hyperdrive": {
            "generator": sweep._generator_config,
            "policy": sweep._policy_config,
            "primary_metric": sweep._primary_metric_config,
            "max_total_runs": sweep._max_total_runs,
            "max_concurrent_runs": sweep._max_concurrent_runs,
            "max_duration_minutes": sweep._max_duration_minutes,
        },
        "automl": {key: automl.user_settings.get(key, user_settings.get(key)) for key in AUTOML_SETTINGS},
        "clusters": {
            spec.name: AmlCompute._build_create_payload(
                clusters.provisioning_configuration(spec), "westeurope", "sub"
            )
            for spec in decode(request["clusters"])
        },
        "inference": {
            "entry_script": inference.entry_script,
            "source_directory": inference.source_directory,
            "environment": serving_environment,
        },
        "aci": aci._build_create_payload(deployment.service_name, {"environment": serving_environment}),
    }


if __name__ == "__main__":
    json.dump(build(json.load(sys.stdin)), sys.stdout, default=str)
