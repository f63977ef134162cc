"""Dump the public surface of an azureml SDK v1 install (real or emulated) as JSON.

Run it with the real SDK (``.venv-azure/bin/python tests/conformance/dump_sdk_surface.py``) to
refresh ``sdk_surface.json``; the conformance tests run it under the emulator's import hook and
compare the two. Only the standard library and the SDK are imported here, so it runs in the
separate Azure virtual environment.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys

# (module, attribute) pairs user code imports; methods are listed per class.
CLASSES = {
    "azureml.core": {
        "Run": [
            "get_context",
            "log",
            "log_list",
            "log_row",
            "log_table",
            "log_image",
            "log_residuals",
            "log_predictions",
            "get_metrics",
            "get_children",
            "child_run",
            "create_children",
            "complete",
            "fail",
            "cancel",
            "start",
            "get_status",
            "wait_for_completion",
            "upload_file",
            "upload_files",
            "upload_folder",
            "download_file",
            "download_files",
            "get_file_names",
            "register_model",
            "tag",
            "set_tags",
            "add_properties",
            "get_details",
            "get_properties",
            "get_tags",
            "get",
            "list",
        ],
        "Experiment": ["__init__", "submit", "get_runs", "list", "start_logging"],
        "Workspace": ["__init__", "from_config", "get"],
        "Model": [
            "__init__",
            "register",
            "list",
            "download",
            "deploy",
            "get_model_path",
            "add_tags",
            "add_properties",
            "package",
        ],
        "ContainerRegistry": ["__init__"],
        "ScriptRunConfig": ["__init__"],
        "Environment": ["__init__", "from_conda_specification", "from_pip_requirements", "get", "register"],
    },
    "azureml.core.authentication": {
        "ServicePrincipalAuthentication": ["__init__"],
        "MsiAuthentication": ["__init__"],
        "AzureCliAuthentication": ["__init__"],
        "InteractiveLoginAuthentication": ["__init__"],
    },
    "azureml.core.runconfig": {"PyTorchConfiguration": ["__init__"], "MpiConfiguration": ["__init__"]},
    "azureml.core.compute": {
        "ComputeTarget": ["__init__", "create"],
        "AmlCompute": ["provisioning_configuration"],
    },
    "azureml.core.model": {
        "InferenceConfig": ["__init__"],
        "ModelPackage": [
            "__init__",
            "get_container_registry",
            "get_logs",
            "pull",
            "save",
            "serialize",
            "update_creation_state",
            "wait_for_creation",
        ],
    },
    "azureml.core.webservice": {
        "Webservice": [
            "__init__",
            "run",
            "get_keys",
            "regen_key",
            "get_logs",
            "delete",
            "wait_for_deployment",
            "list",
        ],
        "LocalWebservice": ["deploy_configuration"],
        "AciWebservice": ["deploy_configuration"],
    },
    "azureml.train.hyperdrive": {
        "HyperDriveConfig": ["__init__"],
        "HyperDriveRun": [
            "__init__",
            "get_best_run_by_primary_metric",
            "get_children_sorted_by_primary_metric",
            "get_hyperparameters",
            "get_metrics",
            "cancel",
        ],
        "RandomParameterSampling": ["__init__"],
        "GridParameterSampling": ["__init__"],
        "BayesianParameterSampling": ["__init__"],
        "BanditPolicy": ["__init__"],
        "MedianStoppingPolicy": ["__init__"],
        "TruncationSelectionPolicy": ["__init__"],
        "NoTerminationPolicy": ["__init__"],
    },
    "azureml.train.automl": {"AutoMLConfig": ["__init__"]},
    "azureml.train.automl.run": {
        "AutoMLRun": [
            "__init__",
            "get_output",
            "get_best_child",
            "register_model",
            "get_run_sdk_dependencies",
            "retry",
        ]
    },
}
FUNCTIONS = {
    "azureml.train.hyperdrive": [
        "choice",
        "randint",
        "uniform",
        "quniform",
        "loguniform",
        "qloguniform",
        "normal",
        "qnormal",
        "lognormal",
        "qlognormal",
    ],
}


def _signature(obj) -> list[list[str]]:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    return [
        [p.name, p.kind.name, "" if p.default is inspect.Parameter.empty else repr(p.default)]
        for p in signature.parameters.values()
        if p.name != "self"
    ]


def _serialized_forms() -> dict[str, object]:
    hd = importlib.import_module("azureml.train.hyperdrive")
    core, runconfig = (
        importlib.import_module("azureml.core"),
        importlib.import_module("azureml.core.runconfig"),
    )

    def distributed(job_config) -> list:
        config = core.ScriptRunConfig(".", "train.py", distributed_job_config=job_config).run_config
        return [config.framework, config.communicator, config.node_count]

    space = {"--batch-size": hd.choice(25, 50, 100), "--lr": hd.loguniform(-6, -1)}
    return {
        "choice": hd.choice(25, 50, 100),
        "choice_list": hd.choice([25, 50, 100]),
        "choice_range": hd.choice(range(1, 4)),
        "randint": hd.randint(10),
        "uniform": hd.uniform(0, 1),
        "quniform": hd.quniform(0, 10, 2),
        "loguniform": hd.loguniform(-6, -1),
        "normal": hd.normal(0, 1),
        "random_sampling": hd.RandomParameterSampling(space).to_json(),
        "grid_sampling": hd.GridParameterSampling({"--batch-size": hd.choice(25, 50)}).to_json(),
        "bandit": hd.BanditPolicy(evaluation_interval=2, slack_factor=0.1).to_json(),
        "median": hd.MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=5).to_json(),
        "truncation": hd.TruncationSelectionPolicy(truncation_percentage=20).to_json(),
        "no_termination": hd.NoTerminationPolicy().to_json(),
        "pytorch_job": distributed(runconfig.PyTorchConfiguration(process_count=4, node_count=2)),
        "mpi_job": distributed(runconfig.MpiConfiguration(process_count_per_node=2, node_count=3)),
        "goals": [hd.PrimaryMetricGoal.MAXIMIZE.value, hd.PrimaryMetricGoal.MINIMIZE.value],
    }


def _public_methods(cls) -> list[str]:
    return [name for name in dir(cls) if not name.startswith("_") and callable(getattr(cls, name, None))]


def dump() -> dict[str, object]:
    """``signatures``: what the emulator must mirror; ``other_methods``: every other public method of
    the same classes, compared wherever the emulator defines a method of that name."""
    surface: dict[str, object] = {}
    others: dict[str, object] = {}
    for module_name, classes in CLASSES.items():
        module = importlib.import_module(module_name)
        for class_name, methods in classes.items():
            cls = getattr(module, class_name)
            for method in methods:
                surface[f"{module_name}.{class_name}.{method}"] = _signature(getattr(cls, method))
            for method in set(_public_methods(cls)) - set(methods):
                others[f"{module_name}.{class_name}.{method}"] = _signature(getattr(cls, method))
    for module_name, functions in FUNCTIONS.items():
        module = importlib.import_module(module_name)
        for function in functions:
            surface[f"{module_name}.{function}"] = _signature(getattr(module, function))
    serialized = json.loads(json.dumps(_serialized_forms(), default=str))
    return {"signatures": surface, "other_methods": others, "serialized": serialized}


if __name__ == "__main__":
    json.dump(dump(), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
