"""Computes, datastores and versioned assets (code, environments, data, models) of the workspace, kept
as the workspace store's assets in the bodies the SDK sent, completed as Azure completes them."""

from __future__ import annotations

import re
import uuid

from . import _blobs
from ._cloud import REGION
from ._http import error

_VERSIONED = ("codes", "environments", "data", "models")
DATASTORES = {"workspaceblobstore": "azureml-blobstore", "workspaceartifactstore": _blobs.ARTIFACTS}


def _kind(kind: str) -> str:
    return f"v2:{kind}"


def versions(surface, kind: str, name: str) -> list[dict]:
    """The stored versions of asset ``name`` of ``kind``, oldest first."""
    prefix = f"{name}:"
    found = [a for a in surface.store.list_assets(_kind(kind)) if a.get("key", "").startswith(prefix)]
    return sorted(found, key=lambda a: (len(a["name"]), a["name"]))


def get_version(surface, kind: str, name: str, version: str) -> dict | None:
    """One stored version, or None."""
    found = surface.store.get_asset(_kind(kind), f"{name}:{version}")
    return {k: v for k, v in found.items() if k != "key"} if found else None


def put_version(surface, kind: str, name: str, version: str, body: dict) -> dict:
    """Store ``body`` as version ``version`` of ``name``; the stored resource."""
    resource = {
        "id": f"{surface.arm}/{kind}/{name}/versions/{version}",
        "name": version,
        "type": f"Microsoft.MachineLearningServices/workspaces/{kind}/versions",
        **body,
    }
    properties = resource.setdefault("properties", {})
    properties.setdefault("provisioningState", "Succeeded")
    if kind == "models":
        properties.setdefault("flavors", {})  # Azure's default for a model without flavors
    surface.store.put_asset(_kind(kind), f"{name}:{version}", {**resource, "key": f"{name}:{version}"})
    return resource


def _datastore(surface, name: str) -> dict:
    properties = {
        "datastoreType": "AzureBlob",
        "accountName": "emulatorstore",
        "containerName": DATASTORES[name],
        "endpoint": surface.storage_host_suffix.removeprefix(".blob."),
        "protocol": "https",
        "credentials": {"credentialsType": "AccountKey"},
        "isDefault": name == "workspaceblobstore",
    }
    return {"id": f"{surface.arm}/datastores/{name}", "name": name, "properties": properties}


def routes(surface) -> list:
    """(method, pattern, handler, public) for computes, datastores and assets."""
    arm = re.escape(surface.arm)

    def compute(match, body, query, headers):
        stored = surface.store.get_asset(_kind("computes"), match["name"])
        if stored is None:
            return error(404, "ResourceNotFound", f"Compute {match['name']} was not found in the workspace")
        return 200, stored, {}

    def create_compute(match, body, query, headers):
        properties = body["properties"]
        if properties.get("computeType") not in ("AmlCompute", "ComputeInstance", "Kubernetes"):
            return error(400, "BadRequest", f"computeType {properties.get('computeType')!r} is not supported")
        properties["provisioningState"] = "Succeeded"
        resource = {
            "id": f"{surface.arm}/computes/{match['name']}",
            "name": match["name"],
            "location": REGION,
            **body,
        }
        resource["properties"] = properties
        surface.store.put_asset(_kind("computes"), match["name"], resource)
        return 200, resource, {}

    def computes(match, body, query, headers):
        return 200, {"value": surface.store.list_assets(_kind("computes"))}, {}

    def datastore(match, body, query, headers):
        if match["name"] not in DATASTORES:
            return error(404, "UserError", f"Datastore {match['name']} was not found")
        return 200, _datastore(surface, match["name"]), {}

    def datastores(match, body, query, headers):
        return 200, {"value": [_datastore(surface, name) for name in DATASTORES]}, {}

    def secrets(match, body, query, headers):
        return 200, {"secretsType": "AccountKey", "key": "ZW11bGF0b3Ita2V5"}, {}

    def container(match, body, query, headers):
        found = versions(surface, match["kind"], match["name"])
        if not found:
            return error(404, "UserError", f"Could not find asset with name {match['name']}")
        numbers = [int(v["name"]) for v in found if v["name"].isdigit()]
        latest = str(max(numbers)) if numbers else found[-1]["name"]
        properties = {"latestVersion": latest, "nextVersion": str(max(numbers, default=0) + 1)}
        return 200, {"id": match.string, "name": match["name"], "properties": properties}, {}

    def list_versions(match, body, query, headers):
        found = [
            {k: v for k, v in a.items() if k != "key"}
            for a in versions(surface, match["kind"], match["name"])
        ]
        return 200, {"value": list(reversed(found))}, {}

    def read_version(match, body, query, headers):
        found = get_version(surface, match["kind"], match["name"], match["version"])
        if found is None:
            return error(
                404,
                "UserError",
                f"Could not find asset with name {match['name']} and version {match['version']}",
            )
        return 200, found, {}

    def write_version(match, body, query, headers):
        return 200, put_version(surface, match["kind"], match["name"], match["version"], body), {}

    def pending_upload(match, body, query, headers):
        # A temporary container of its own, which the SDK uploads into at its root.
        blob = f"https://emulatorstore{surface.storage_host_suffix}/{uuid.uuid4().hex}"
        return (
            200,
            {
                "blobReferenceForConsumption": {
                    "blobUri": blob,
                    "storageAccountArmId": "/providers/Microsoft.Storage/storageAccounts/emulatorstore",
                    "credential": {"credentialType": "SAS", "sasUri": f"{blob}?sv=2021-08-06&sig=emulator"},
                },
                "pendingUploadId": body.get("pendingUploadId") or uuid.uuid4().hex,
                "pendingUploadType": "TemporaryBlobReference",
            },
            {},
        )

    asset = rf"^{arm}/(?P<kind>{'|'.join(_VERSIONED)})/(?P<name>[^/]+)"
    return [
        ("GET", rf"^{arm}/computes$", computes, False),
        ("GET", rf"^{arm}/computes/(?P<name>[^/]+)$", compute, False),
        ("PUT", rf"^{arm}/computes/(?P<name>[^/]+)$", create_compute, False),
        ("GET", rf"^{arm}/datastores$", datastores, False),
        ("GET", rf"^{arm}/datastores/(?P<name>[^/]+)$", datastore, False),
        ("POST", rf"^{arm}/datastores/(?P<name>[^/]+)/listSecrets$", secrets, False),
        ("GET", rf"{asset}$", container, False),
        ("GET", rf"{asset}/versions$", list_versions, False),
        ("PUT", rf"{asset}/versions/(?P<version>[^/]+)$", write_version, False),
        ("GET", rf"{asset}/versions/(?P<version>[^/]+)$", read_version, False),
        ("POST", rf"{asset}/versions/[^/]+/startPendingUpload$", pending_upload, False),
    ]
