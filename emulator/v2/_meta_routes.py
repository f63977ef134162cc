"""The cloud around the workspace: ARM cloud metadata, the managed-identity token endpoint, the
workspace resource and its service discovery (every regional API is this server)."""

from __future__ import annotations

from ._cloud import CLOUD, REGION
from ._http import error

_PROVIDER = (
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft.MachineLearningServices"
)


def routes(surface) -> list:
    """(method, pattern, handler, public) for the cloud and the workspace."""

    def metadata(match, body, query, headers):
        base = surface.base_url
        cloud = {
            "name": CLOUD,
            "portal": "https://portal.azure.emulator",
            "resourceManager": f"{base}/",
            "authentication": {"loginEndpoint": f"{base}/", "audiences": [f"{base}/"], "tenant": "common"},
            "suffixes": {"storage": surface.storage_host_suffix.removeprefix(".blob.")},
            "registryDiscoveryEndpoint": f"{base}/",
        }
        return 200, [cloud], {}

    def token(match, body, query, headers):
        # App Service's managed-identity protocol (api-version 2019-08-01), as azure-identity speaks it.
        if headers.get("X-IDENTITY-HEADER") != surface.tokens.identity_header:
            return error(401, "Unauthorized", "X-IDENTITY-HEADER is missing or wrong")
        if not query.get("resource"):
            return error(400, "BadRequest", "resource is required")
        access, expires = surface.tokens.issue()
        return (
            200,
            {
                "access_token": access,
                "expires_on": str(expires),
                "resource": query["resource"],
                "token_type": "Bearer",
            },
            {},
        )

    def workspace(match, body, query, headers):
        ws = surface.workspace
        if match["name"] != ws.name:
            return error(
                404, "ResourceNotFound", f"The Resource '.../workspaces/{match['name']}' was not found."
            )
        return (
            200,
            {
                "id": surface.arm,
                "name": ws.name,
                "type": "Microsoft.MachineLearningServices/workspaces",
                "location": REGION,
                "kind": "Default",
                "properties": {
                    "discoveryUrl": f"{surface.base_url}/discovery",
                    "friendlyName": ws.name,
                    "workspaceId": ws.name,
                    "mlFlowTrackingUri": surface.mlflow_tracking_uri,
                    "provisioningState": "Succeeded",
                    "storageAccount": f"/subscriptions/{ws.subscription_id}/resourceGroups/{ws.resource_group}"
                    "/providers/Microsoft.Storage/storageAccounts/emulatorstore",
                },
            },
            {},
        )

    def discovery(match, body, query, headers):
        services = ("api", "catalog", "experimentation", "history", "modelmanagement", "pipelines", "studio")
        return 200, {name: surface.base_url for name in services}, {}

    return [
        ("GET", r"^/metadata/endpoints$", metadata, True),
        ("GET", r"^/msi/token$", token, True),
        ("GET", r"^/discovery$", discovery, True),
        ("GET", rf"{_PROVIDER}/workspaces/(?P<name>[^/]+)$", workspace, False),
    ]
