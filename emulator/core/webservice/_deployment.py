"""``Model.deploy``'s work: pick the service class from the deployment configuration and create it."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from ...exceptions import WebserviceException
from .. import _process
from .aci import AciWebservice
from .webservice import WebserviceDeploymentConfiguration, webservice_name_validation


def _deprecation_warning() -> None:
    from os import environ

    if environ.get("AZUREML_LOG_DEPRECATION_WARNING_ENABLED") == "False":
        return
    warnings.warn(
        "azureml.core.model:\nTo leverage new model deployment capabilities, AzureML recommends using CLI/SDK v2 to "
        "deploy models as online endpoint, \nplease refer to respective documentations \n"
        "https://docs.microsoft.com/azure/machine-learning/how-to-deploy-managed-online-endpoints /\n"
        "https://docs.microsoft.com/azure/machine-learning/how-to-attach-kubernetes-anywhere \n"
        "For more information on migration, see https://aka.ms/acimoemigration \n"
        "To disable CLI/SDK v1 deprecation warning set AZUREML_LOG_DEPRECATION_WARNING_ENABLED to 'False'",
        FutureWarning,
        stacklevel=4,
    )


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
    with _deploying(workspace, name):
        service = config._webservice_type._create(
            workspace, name, models, inference_config, config, overwrite
        )
    if show_output:
        print(f"{type(service).__name__} {name}: {service.state} at {service.scoring_uri}", flush=True)
    return service


@contextmanager
def _deploying(workspace, name: str) -> Iterator[None]:
    """Hold the name while one deployment stages and records it; a concurrent one is refused clearly.

    The claim is a store slot held by this process (and call), so one left by a killed deployment is
    taken over by the next.
    """
    pid, started = _process.identity()
    holder = f"{pid}:{started}:{uuid.uuid4().hex}"

    def stale(slot: dict) -> bool:
        owner_pid, owner_started, _ = slot["holder"].split(":", 2)
        return not _process.alive(int(owner_pid), float(owner_started))

    pool = f"webservice-deployment:{name}"
    if not workspace._store.acquire_slot(pool, 1, holder, stale):
        raise WebserviceException(
            f"Error, another deployment of service {name} is under way in workspace {workspace.name}; "
            "wait for it, then deploy again (overwrite=True to replace it)."
        )
    try:
        yield
    finally:
        workspace._store.release_slot(pool, holder)
