"""The azure-ai-ml internals the v2 backend needs, where the SDK has no public call: all of them here.

Each is named in ``PRIVATE_NAMES`` or ``PRIVATE_CLIENT_ATTRIBUTES``; ``tests/backends/azure_v2/test_v2_private.py`` fails on the
installed azure-ai-ml the day one of them moves or changes its signature, and docs/CONTRACTS.md
lists them. Nothing else in :mod:`backends.azure_v2` reaches past the SDK's public surface.
"""

from __future__ import annotations

from azure.ai.ml import MLClient
from azure.ai.ml._artifacts._artifact_utilities import download_artifact_from_aml_uri
from azure.ai.ml._restclient.runhistory.models import RetrieveFullFidelityMetricRequest
from azure.ai.ml._restclient.runhistory.operations import MetricsOperations
from azure.ai.ml.entities import Job
from azure.ai.ml.entities._builders.sweep import Sweep

# (module, attribute path) of each private name used, for the test that pins them.
PRIVATE_NAMES = (
    ("azure.ai.ml._artifacts._artifact_utilities", "download_artifact_from_aml_uri"),
    ("azure.ai.ml._restclient.runhistory.models", "RetrieveFullFidelityMetricRequest"),
    ("azure.ai.ml._restclient.runhistory.operations", "MetricsOperations.get_full_fidelity_metric"),
    ("azure.ai.ml.operations", "JobOperations._runs_operations"),
    ("azure.ai.ml.entities._builders.sweep", "Sweep._to_job"),
)
# Attributes of an MLClient's instance (set when the client is built), the same way.
PRIVATE_CLIENT_ATTRIBUTES = ("jobs._operation_scope", "jobs._runs_operations._operation")


def download_data(ml_client: MLClient, uri: str, folder: str) -> str:
    """Download the ``azureml://`` data asset path ``uri`` into ``folder`` (no public call does).

    Args:
        ml_client: the workspace's client.
        uri: a data asset's ``path``.
        folder: where the files go.

    Returns:
        The folder the files were written to.
    """
    return download_artifact_from_aml_uri(uri, folder, ml_client.datastores)


def metric_values(ml_client: MLClient, run_id: str, metric: str) -> list[float]:
    """Every value of ``metric`` the run logged, in logging order (the run history's metric service,
    which azure-ai-ml reaches only through MLflow; this client shares the SDK's run-history one).

    Args:
        ml_client: the workspace's client.
        run_id: the run (a job's or a child's name).
        metric: the metric's name.

    Returns:
        The logged values as floats.
    """
    runs = ml_client.jobs._runs_operations._operation
    service = MetricsOperations(runs._client, runs._config, runs._serialize, runs._deserialize)
    scope = ml_client.jobs._operation_scope
    answer = service.get_full_fidelity_metric(
        scope.subscription_id,
        scope.resource_group_name,
        ml_client.workspace_name,
        run_id,
        body=RetrieveFullFidelityMetricRequest(metric_name=metric),
    )
    return [float(value.data[metric]) for value in answer.value or [] if metric in (value.data or {})]


def sweep_as_job(node: Sweep) -> Job:
    """The ``SweepJob`` a ``command().sweep()`` node stands for (its own YAML does not reload
    through ``load_job``; the job's does)."""
    return node._to_job()
