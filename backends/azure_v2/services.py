"""Deploy the winner to a managed online endpoint with the same ``score.py``; score; clean up (SDK v2).

SDK v2 has no ACI: the target is ``managed``, a managed online endpoint with key auth, one
deployment (``blue``) taking all traffic, on the registered serving environment.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from azure.ai.ml import MLClient
from azure.ai.ml.entities import CodeConfiguration, ManagedOnlineDeployment, ManagedOnlineEndpoint

from backends.azure_v2 import environments
from backends.messages import Deployment, Endpoint

MANAGED = "managed"
DEPLOYMENT = "blue"
INSTANCE_TYPE = "Standard_DS3_v2"  # the smallest size Azure recommends for online endpoints


def deploy(ml_client: MLClient, deployment: Deployment) -> Endpoint:
    """Create or update the endpoint and its deployment, then route all traffic to it."""
    if deployment.target != MANAGED:
        raise ValueError(
            f"the azure-v2 backend deploys to a managed online endpoint, not {deployment.target!r}: "
            "set DUEL_DEPLOY_TARGET=managed (or none)"
        )
    name, version = deployment.models[0].rsplit(":", 1)
    endpoint = ManagedOnlineEndpoint(
        name=deployment.service_name, auth_mode="key", description="automl-duel winner"
    )
    ml_client.online_endpoints.begin_create_or_update(endpoint).result()
    ml_client.online_deployments.begin_create_or_update(
        ManagedOnlineDeployment(
            name=DEPLOYMENT,
            endpoint_name=deployment.service_name,
            model=f"azureml:{name}:{version}",
            environment=environments.reference(environments.SERVING),
            code_configuration=CodeConfiguration(
                code=deployment.source_directory, scoring_script=deployment.entry_script
            ),
            instance_type=INSTANCE_TYPE,
            instance_count=1,
        )
    ).result()
    endpoint.traffic = {DEPLOYMENT: 100}
    live = ml_client.online_endpoints.begin_create_or_update(endpoint).result()
    return Endpoint(name=live.name, scoring_uri=live.scoring_uri, swagger_uri=live.openapi_uri)


def score(ml_client: MLClient, service_name: str, payload: str) -> Any:
    """The endpoint's answer to a JSON request body (``invoke`` signs it with the endpoint's key)."""
    with tempfile.TemporaryDirectory(prefix="duel-score-") as folder:
        request = Path(folder) / "request.json"
        request.write_text(payload)
        return json.loads(
            ml_client.online_endpoints.invoke(endpoint_name=service_name, request_file=str(request))
        )


def delete(ml_client: MLClient, service_name: str) -> None:
    """Delete the endpoint and its deployments (they bill while they run)."""
    ml_client.online_endpoints.begin_delete(name=service_name).result()
