"""The REST routes of the local Azure ML workspace (:mod:`fake_workspace`): management plane, discovery,
run history, metrics and online endpoints, with bodies in Azure's shapes."""

from __future__ import annotations

import json
from typing import Any

from azure.ai.ml._restclient.runhistory.models import (
    GetRunDataResult,
    MetricV2,
    MetricV2Value,
    PaginatedRunList,
    Run,
)

SUBSCRIPTION, GROUP, WORKSPACE = "00000000-1111-2222-3333-444444444444", "duel-rg", "duel-ws"
SCOPE = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}"
ARM = f"{SCOPE}/providers/Microsoft.MachineLearningServices/workspaces/{WORKSPACE}"
REGION_API = "https://eastus.api.azureml.ms"
# Routes tests throttle by name (route_key).
NAMED = {
    "job": rf"^{ARM}/jobs/(?P<name>[^/]+)$",
    "children": rf"^/history/v1.0{ARM}/runs/(?P<run>[^/]+)/children$",
}


def _job_answer(state, name: str) -> dict:
    job = json.loads(json.dumps(state.jobs[name]))
    steps = state.statuses.get(name)  # scripted states, one per read; else the stored one
    if steps:
        job["properties"]["status"] = steps.pop(0) if len(steps) > 1 else steps[0]
    job["properties"].setdefault("properties", {}).update(state.job_properties.get(name, {}))
    job["properties"]["tags"] = {**(job["properties"].get("tags") or {}), **state.job_tags.get(name, {})}
    return job


def routes(state) -> list[tuple[str, str, Any]]:
    """(method, path pattern, handler(match, body) -> (status, body, headers))."""
    port = state.port
    blob_root = f"http://127.0.0.1:{port}/duelstore/azureml-blobstore"

    def workspace(match, body):
        return (
            200,
            {
                "id": ARM,
                "name": WORKSPACE,
                "type": "Microsoft.MachineLearningServices/workspaces",
                "location": "eastus",
                "properties": {"discoveryUrl": f"{REGION_API}/discovery", "friendlyName": WORKSPACE},
            },
            {},
        )

    def discovery(match, body):
        return (
            200,
            {key: REGION_API for key in ("api", "catalog", "experimentation", "history", "modelmanagement")},
            {},
        )

    def compute(match, body):
        name = match["name"]
        if name not in state.computes:
            return 404, {"error": {"code": "ResourceNotFound", "message": f"compute {name} not found"}}, {}
        return (
            200,
            {
                "id": f"{ARM}/computes/{name}",
                "name": name,
                "location": "eastus",
                "properties": {
                    "computeType": "AmlCompute",
                    "provisioningState": "Succeeded",
                    "properties": {},
                },
            },
            {},
        )

    def create_compute(match, body):
        state.computes.add(match["name"])
        body.setdefault("properties", {})["provisioningState"] = "Succeeded"
        return 200, {"id": f"{ARM}/computes/{match['name']}", "name": match["name"], **body}, {}

    def versioned(match, body):
        return 200, {"id": match.string, "name": match["version"], **body}, {}

    def code_versions(match, body):
        return 200, {"value": []}, {}

    def pending_upload(match, body):
        blob = f"{blob_root}/LocalUpload/{match['id']}"
        return (
            200,
            {
                "blobReferenceForConsumption": {
                    "blobUri": blob,
                    "storageAccountArmId": f"{SCOPE}/providers/Microsoft.Storage/storageAccounts/duelstore",
                    "credential": {"credentialType": "SAS", "sasUri": f"{blob}?sv=2021-08-06&sig=local"},
                },
                "pendingUploadId": match["id"],
                "pendingUploadType": "TemporaryBlobReference",
            },
            {},
        )

    def create_job(match, body):
        name = match["name"]
        body["properties"]["status"] = "NotStarted"
        state.jobs[name] = {
            "id": f"{ARM}/jobs/{name}",
            "name": name,
            "type": "Microsoft.MachineLearningServices/workspaces/jobs",
            **body,
        }
        state._start(name)
        return 201, _job_answer(state, name), {}

    def get_job(match, body):
        if match["name"] not in state.jobs:
            return 404, {"error": {"code": "UserError", "message": f"job {match['name']} not found"}}, {}
        return 200, _job_answer(state, match["name"]), {}

    def children(match, body):
        runs = [Run(run) for run in state.children.get(match["run"], [])]
        return 200, PaginatedRunList(value=runs).as_dict(), {}

    def run_data(match, body):
        # A child's run record, without registered output datasets or models.
        run = Run(run_id=body["runId"], name=body["runId"], status="Completed", outputs={})
        return 200, GetRunDataResult(run_metadata=run).as_dict(), {}

    def metric(match, body):
        name = body["metricName"]
        values = state.metrics.get(match["run"], {}).get(name, [])
        answer = MetricV2(
            name=name, value=[MetricV2Value(step=i, data={name: v}) for i, v in enumerate(values)]
        )
        return 200, answer.as_dict(), {}

    def put_endpoint(match, body):
        name = match["name"]
        properties = {
            **body["properties"],
            "provisioningState": "Succeeded",
            "scoringUri": f"https://{name}.eastus.inference.ml.azure.com/score",
            "swaggerUri": f"https://{name}.eastus.inference.ml.azure.com/swagger.json",
        }
        state.endpoints[name] = {
            "id": f"{ARM}/onlineEndpoints/{name}",
            "name": name,
            **body,
            "properties": properties,
        }
        return 200, state.endpoints[name], {}

    def get_endpoint(match, body):
        if match["name"] not in state.endpoints:
            return (
                404,
                {"error": {"code": "ResourceNotFound", "message": f"endpoint {match['name']} not found"}},
                {},
            )
        return 200, state.endpoints[match["name"]], {}

    def delete_endpoint(match, body):
        state.endpoints.pop(match["name"], None)
        return 200, None, {}

    def put_deployment(match, body):
        # Azure fills in what the request left to its defaults.
        body["properties"].setdefault("scaleSettings", {"scaleType": "Default"})
        body["properties"]["provisioningState"] = "Succeeded"
        state.deployments[match["name"]] = {"id": match.string, "name": match["name"], **body}
        return 200, state.deployments[match["name"]], {}

    def list_keys(match, body):
        return 200, dict(state.keys), {}

    def datastore_body(name: str) -> dict:
        properties = {
            "datastoreType": "AzureBlob",
            "accountName": "duelstore",
            "containerName": f"azureml-{name}",
            "endpoint": "core.windows.net",
            "protocol": "https",
            "credentials": {"credentialsType": "AccountKey"},
            "isDefault": name == "workspaceblobstore",
        }
        return {"id": f"{ARM}/datastores/{name}", "name": name, "properties": properties}

    def datastore(match, body):
        return 200, datastore_body(match["name"]), {}

    def datastores(match, body):
        names = ("workspaceblobstore", "workspaceartifactstore")
        return 200, {"value": [datastore_body(name) for name in names]}, {}

    def datastore_secrets(match, body):
        return 200, {"secretsType": "AccountKey", "key": "bG9jYWwta2V5"}, {}

    def container(match, body):
        versions = state.assets.get((match["kind"], match["name"]), {})
        if not versions:
            return 404, {"error": {"code": "UserError", "message": f"{match['name']} not found"}}, {}
        latest = max(int(version) for version in versions)
        properties = {"latestVersion": str(latest), "nextVersion": str(latest + 1)}
        return 200, {"id": match.string, "name": match["name"], "properties": properties}, {}

    def put_version(match, body):
        if match["kind"] == "models":
            body["properties"].setdefault("flavors", {})  # Azure's default for a model without flavors
        stored = {"id": match.string, "name": match["version"], **body}
        state.assets.setdefault((match["kind"], match["name"]), {})[match["version"]] = stored
        return 200, stored, {}

    def get_version(match, body):
        stored = state.assets.get((match["kind"], match["name"]), {}).get(match["version"])
        if stored is None:
            return (
                404,
                {"error": {"code": "UserError", "message": f"{match['name']}:{match['version']} not found"}},
                {},
            )
        return 200, stored, {}

    def list_versions(match, body):
        return 200, {"value": list(state.assets.get((match["kind"], match["name"]), {}).values())}, {}

    asset = rf"^{ARM}/(?P<kind>data|models)/(?P<name>[^/]+)"
    return [
        ("GET", rf"{asset}$", container),
        ("GET", rf"{asset}/versions$", list_versions),
        ("PUT", rf"{asset}/versions/(?P<version>[^/]+)$", put_version),
        ("GET", rf"{asset}/versions/(?P<version>[^/]+)$", get_version),
        ("GET", rf"^{ARM}/datastores$", datastores),
        ("GET", rf"^{ARM}/datastores/(?P<name>[^/]+)$", datastore),
        ("POST", rf"^{ARM}/datastores/(?P<name>[^/]+)/listSecrets$", datastore_secrets),
        ("PUT", rf"^{ARM}/onlineEndpoints/(?P<name>[^/]+)$", put_endpoint),
        ("GET", rf"^{ARM}/onlineEndpoints/(?P<name>[^/]+)$", get_endpoint),
        ("DELETE", rf"^{ARM}/onlineEndpoints/(?P<name>[^/]+)$", delete_endpoint),
        ("PUT", rf"^{ARM}/onlineEndpoints/[^/]+/deployments/(?P<name>[^/]+)$", put_deployment),
        ("POST", rf"^{ARM}/onlineEndpoints/[^/]+/listKeys$", list_keys),
        ("GET", rf"^{ARM}$", workspace),
        ("GET", r"^/discovery$", discovery),
        ("GET", rf"^{ARM}/computes/(?P<name>[^/]+)$", compute),
        ("PUT", rf"^{ARM}/computes/(?P<name>[^/]+)$", create_compute),
        ("PUT", rf"^{ARM}/(environments|codes)/[^/]+/versions/(?P<version>[^/]+)$", versioned),
        ("GET", rf"^{ARM}/codes/[^/]+/versions$", code_versions),
        ("POST", rf"^{ARM}/codes/(?P<id>[^/]+)/versions/[^/]+/startPendingUpload$", pending_upload),
        ("PUT", NAMED["job"], create_job),
        ("GET", NAMED["job"], get_job),
        ("GET", NAMED["children"], children),
        ("POST", rf"^/metric/v2.0{ARM}/runs/(?P<run>[^/]+)/full$", metric),
        ("POST", rf"^/history/v1.0{ARM}/rundata$", run_data),
    ]


def route_key(method: str, name: str) -> str:
    """The throttling key of a route: ``route_key("GET", "job")`` for reading a job."""
    return f"{method} {NAMED[name]}"
