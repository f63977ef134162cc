"""``Model.deploy``'s work: pick the service class from the deployment configuration and create it."""

from __future__ import annotations

from ...exceptions import WebserviceException
from .aci import AciWebservice
from .webservice import WebserviceDeploymentConfiguration, _deprecation_warning, webservice_name_validation


def _deploy(
    workspace, name, models, inference_config, deployment_config, deployment_target, overwrite, show_output
):
    """``Model.deploy``: validate, stage and start the service the deployment configuration asks for."""
    _deprecation_warning()
    webservice_name_validation(name)
    if deployment_target is not None:
        raise WebserviceException(
            "Error, the emulator deploys to ACI or local targets only; leave deployment_target as None."
        )
    config = deployment_config if deployment_config is not None else AciWebservice.deploy_configuration()
    if not isinstance(config, WebserviceDeploymentConfiguration):
        raise WebserviceException(f"Error, unsupported deployment_config of type {type(config).__name__}.")
    service = config._webservice_type._create(workspace, name, models, inference_config, config, overwrite)
    if show_output:
        print(f"{type(service).__name__} {name}: {service.state} at {service.scoring_uri}", flush=True)
    return service
