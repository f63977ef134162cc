"""Deploy registered models behind a scoring script, and score through the live service."""

from __future__ import annotations

from typing import Any

from azureml.core import Model, Workspace
from azureml.core.model import InferenceConfig
from azureml.core.webservice import AciWebservice, LocalWebservice, Webservice

from backends.messages import Deployment, Endpoint
from backends.sdk_v1 import environments


def deployment_config(target: str):
    """ACI with key auth, or the SDK's local (Docker) service."""
    if target == "aci":
        return AciWebservice.deploy_configuration(
            cpu_cores=1, memory_gb=1, auth_enabled=True, description="automl-duel winner"
        )
    return LocalWebservice.deploy_configuration(port=None)


def inference_config(deployment: Deployment, environment) -> InferenceConfig:
    """The entry script and its folder, served in the registered serving environment (onnxruntime)."""
    return InferenceConfig(
        entry_script=deployment.entry_script,
        source_directory=deployment.source_directory,
        environment=environment,
    )


def deploy(ws: Workspace, deployment: Deployment, config=None) -> Endpoint:
    """Deploy (replacing a service of that name) and wait; ``config`` overrides the target's configuration."""
    models = [
        Model(ws, name=ref.rsplit(":", 1)[0], version=int(ref.rsplit(":", 1)[1])) for ref in deployment.models
    ]
    service = Model.deploy(
        ws,
        deployment.service_name,
        models,
        inference_config=inference_config(deployment, environments.registered(ws, environments.SERVING)),
        deployment_config=config or deployment_config(deployment.target),
        overwrite=True,
    )
    service.wait_for_deployment(show_output=False)
    return Endpoint(name=service.name, scoring_uri=service.scoring_uri, swagger_uri=service.swagger_uri)


def score(ws: Workspace, service_name: str, payload: str) -> Any:
    """The service's answer to a JSON request body (``service.run``)."""
    return Webservice(ws, service_name).run(payload)


def delete(ws: Workspace, service_name: str) -> str:
    """Delete the service (an ACI container group costs money while it runs); returns its name."""
    Webservice(ws, service_name).delete()
    return service_name
