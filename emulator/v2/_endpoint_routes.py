"""Managed online endpoints and their deployments: a deployment is served by the emulator's scoring
server (a v1 web service of the same name as the endpoint, with key auth), whose keys are the
endpoint's and whose scoring URI the endpoint names."""

from __future__ import annotations

import re

from . import _command
from ._cloud import REGION
from ._http import error

_ENDPOINTS, _DEPLOYMENTS = "v2:onlineEndpoints", "v2:onlineDeployments"


def _service(surface, endpoint: str):
    from ..core import Webservice

    try:
        return Webservice(surface.workspace, endpoint)
    except Exception:  # noqa: BLE001 (WebserviceException: no deployment serves the endpoint yet)
        return None


def _endpoint_answer(surface, name: str) -> dict | None:
    stored = surface.store.get_asset(_ENDPOINTS, name)
    if stored is None:
        return None
    service = _service(surface, name)
    if service is not None:
        stored["properties"]["scoringUri"] = service.scoring_uri
        stored["properties"]["swaggerUri"] = service.swagger_uri
    return stored


def _deploy(surface, endpoint: str, body: dict) -> None:
    """Serve ``body`` (a deployment's resource) as the endpoint's web service."""
    from ..core import Model
    from ..core.inference_config import InferenceConfig
    from ..core.webservice import AciWebservice

    properties = body["properties"]
    model = _command.asset(surface, properties["model"])
    model_name = re.search(r"/models/([^/]+)/versions/", model["id"])[1]
    registered = Model.register(
        surface.workspace,
        model_path=str(_command.blob_path(surface, model["properties"]["modelUri"])),
        model_name=model_name,
        tags={"v2_version": model["name"]},
    )
    code = properties["codeConfiguration"]
    source = _command.blob_path(surface, _command.asset(surface, code["codeId"])["properties"]["codeUri"])
    config = InferenceConfig(entry_script=code["scoringScript"], source_directory=str(source))
    service = Model.deploy(
        surface.workspace,
        endpoint,
        [registered],
        config,
        AciWebservice.deploy_configuration(auth_enabled=True),
        overwrite=True,
    )
    service.wait_for_deployment()


def routes(surface) -> list:
    """(method, pattern, handler, public) for online endpoints and deployments."""
    arm = re.escape(surface.arm)
    endpoints = rf"^{arm}/onlineEndpoints/(?P<endpoint>[^/]+)"

    def put_endpoint(match, body, query, headers):
        name = match["endpoint"]
        if body["properties"].get("authMode", "Key") not in ("Key", "AMLToken", "AADToken"):
            return error(400, "BadRequest", f"authMode {body['properties'].get('authMode')!r} is not valid")
        properties = {**body["properties"], "provisioningState": "Succeeded"}
        properties.setdefault("traffic", {})
        resource = {
            "id": f"{surface.arm}/onlineEndpoints/{name}",
            "name": name,
            "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
            "location": REGION,
            **body,
            "properties": properties,
        }
        resource["properties"]["scoringUri"] = f"{surface.base_url}/endpoints/{name}/score"
        surface.store.put_asset(_ENDPOINTS, name, resource)
        return 200, _endpoint_answer(surface, name), {}

    def get_endpoint(match, body, query, headers):
        found = _endpoint_answer(surface, match["endpoint"])
        if found is None:
            return error(404, "ResourceNotFound", f"Endpoint {match['endpoint']} was not found")
        return 200, found, {}

    def delete_endpoint(match, body, query, headers):
        service = _service(surface, match["endpoint"])
        if service is not None:
            service.delete()
        for deployment in surface.store.list_assets(_DEPLOYMENTS):
            if deployment["id"].startswith(f"{surface.arm}/onlineEndpoints/{match['endpoint']}/"):
                surface.store.delete_asset(_DEPLOYMENTS, deployment["id"])
        surface.store.delete_asset(_ENDPOINTS, match["endpoint"])
        return 200, None, {}

    def put_deployment(match, body, query, headers):
        if surface.store.get_asset(_ENDPOINTS, match["endpoint"]) is None:
            return error(404, "ResourceNotFound", f"Endpoint {match['endpoint']} was not found")
        try:
            _deploy(surface, match["endpoint"], body)
        except _command.JobInputError as exc:
            return error(400, "BadArgument", str(exc))
        body["properties"].setdefault("scaleSettings", {"scaleType": "Default"})  # Azure's default
        body["properties"]["provisioningState"] = "Succeeded"
        resource = {"id": match.string, "name": match["deployment"], "location": REGION, **body}
        surface.store.put_asset(_DEPLOYMENTS, match.string, resource)
        return 200, resource, {}

    def get_deployment(match, body, query, headers):
        found = surface.store.get_asset(_DEPLOYMENTS, match.string)
        if found is None:
            return error(404, "ResourceNotFound", f"Deployment {match['deployment']} was not found")
        return 200, found, {}

    def list_keys(match, body, query, headers):
        service = _service(surface, match["endpoint"])
        if service is None:
            return error(404, "ResourceNotFound", f"Endpoint {match['endpoint']} has no deployment")
        primary, secondary = service.get_keys()
        return 200, {"primaryKey": primary, "secondaryKey": secondary}, {}

    return [
        ("PUT", rf"{endpoints}$", put_endpoint, False),
        ("GET", rf"{endpoints}$", get_endpoint, False),
        ("DELETE", rf"{endpoints}$", delete_endpoint, False),
        ("PUT", rf"{endpoints}/deployments/(?P<deployment>[^/]+)$", put_deployment, False),
        ("GET", rf"{endpoints}/deployments/(?P<deployment>[^/]+)$", get_deployment, False),
        ("POST", rf"{endpoints}/listKeys$", list_keys, False),
    ]
