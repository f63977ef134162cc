"""An Azure ML workspace on 127.0.0.1: the management-plane, run-history, metric and blob calls the
v2 backend makes, answered in the shapes of Azure's REST API.

Response bodies are built with the ``azure-ai-ml`` package's own generated REST models (what the
SDK deserialises), or are the request bodies the SDK sent, stored and returned as Azure does.
``MLClient`` reaches it through :class:`LocalTransport`, which sends every request of its azure-core
pipelines here (Azure's hostnames kept in ``x-fake-host``); blob calls come here directly, because
the pending-upload answer names a path-style blob URL on this server (as Azurite's are).

State is set by the test: the statuses a job reports on successive reads, its child runs with their
metrics, throttled routes (answered 429 a number of times first) and tokens refused as expired.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from azure.ai.ml import MLClient
from azure.ai.ml._restclient.runhistory.models import MetricV2, MetricV2Value, PaginatedRunList, Run
from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import RequestsTransport

SUBSCRIPTION, GROUP, WORKSPACE = "00000000-1111-2222-3333-444444444444", "duel-rg", "duel-ws"
SCOPE = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}"
ARM = f"{SCOPE}/providers/Microsoft.MachineLearningServices/workspaces/{WORKSPACE}"
REGION_API = "https://eastus.api.azureml.ms"


@dataclass(frozen=True)
class Request:
    """One request as the server saw it; ``body`` is the parsed JSON (or the raw bytes)."""

    method: str
    host: str
    path: str
    query: dict[str, list[str]]
    body: Any
    authorization: str


class StubCredential:
    """Tokens handed out in turn; the last one is repeated. ``expires_in`` < 0 hands out expired ones."""

    def __init__(self, *tokens: str, expires_in: int = 3600):
        self.tokens, self.expires_in, self.issued = list(tokens or ["token-1"]), expires_in, []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        token = self.tokens.pop(0) if len(self.tokens) > 1 else self.tokens[0]
        self.issued.append(token)
        return AccessToken(token, int(time.time()) + self.expires_in)


@dataclass
class FakeWorkspace:
    """The workspace's state and the requests it received."""

    computes: set[str] = field(default_factory=set)
    jobs: dict[str, dict] = field(default_factory=dict)
    statuses: dict[str, list[str]] = field(default_factory=dict)
    children: dict[str, list[dict]] = field(default_factory=dict)
    metrics: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    job_properties: dict[str, dict[str, str]] = field(default_factory=dict)
    job_tags: dict[str, dict[str, str]] = field(default_factory=dict)
    next_job: tuple = ((), (), None)
    throttled: dict[str, int] = field(default_factory=dict)
    expired_tokens: set[str] = field(default_factory=set)
    blobs: dict[str, bytes] = field(default_factory=dict)
    endpoints: dict[str, dict] = field(default_factory=dict)
    deployments: dict[str, dict] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=lambda: {"primaryKey": "key-1", "secondaryKey": "key-2"})
    scoring: Any = None  # the deployed entry script (a module with init/run), set by the test
    requests: list[Request] = field(default_factory=list)
    port: int = 0

    def add_child(self, parent: str, run_id: str, status: str, **metrics: list[float]) -> None:
        """A child run of ``parent`` in the run history, with the metric values it logged."""
        run = Run(run_id=run_id, parent_run_id=parent, status=status, name=run_id, display_name=run_id)
        self.children.setdefault(parent, []).append(run.as_dict())
        self.metrics[run_id] = metrics

    def script(self, statuses: list[str], children: tuple = (), best: str | None = None) -> None:
        """What the next submitted job will do: the states its reads report in turn, its child runs
        as ``(run id, status, {metric: values})``, and the best child it names when done."""
        self.next_job = (tuple(statuses), tuple(children), best)

    def _start(self, name: str) -> None:
        statuses, children, best = self.next_job
        self.statuses[name] = list(statuses)
        for run_id, status, values in children:
            self.add_child(name, run_id, status, **values)
        if best:
            # A sweep names its best trial in its properties, AutoML its best child in its tags.
            self.job_properties[name] = {"best_child_run_id": best}
            self.job_tags[name] = {"automl_best_child_run_id": best}

    def sent(self, method: str, pattern: str) -> list[Request]:
        """The requests of ``method`` whose path matches ``pattern``, in order."""
        return [r for r in self.requests if r.method == method and re.search(pattern, r.path)]

    def client(self, credential: StubCredential | None = None, **options: Any) -> MLClient:
        """An ``MLClient`` on this workspace (``options``: azure-core's, e.g. ``retry_backoff_factor``)."""
        return MLClient(
            credential or StubCredential(),
            SUBSCRIPTION,
            GROUP,
            WORKSPACE,
            transport=LocalTransport(self.port),
            **options,
        )


class LocalTransport(RequestsTransport):
    """Sends what the SDK addresses to Azure's hosts to the local server, keeping the path and query."""

    def __init__(self, port: int, **kwargs: Any):
        super().__init__(**kwargs)
        self._port = port

    def send(self, request, **kwargs):
        # Put the address back afterwards: a retry runs the request through the policies again, and
        # the bearer-token policy refuses anything but https.
        address = request.url
        parts = urlsplit(address)
        request.headers["x-fake-host"] = parts.netloc
        request.url = urlunsplit(("http", f"127.0.0.1:{self._port}", parts.path, parts.query, ""))
        try:
            return super().send(request, **kwargs)
        finally:
            request.url = address


def _job_answer(state: FakeWorkspace, name: str) -> dict:
    job = json.loads(json.dumps(state.jobs[name]))
    steps = state.statuses.get(name) or ["NotStarted"]
    job["properties"]["status"] = steps.pop(0) if len(steps) > 1 else steps[0]
    job["properties"].setdefault("properties", {}).update(state.job_properties.get(name, {}))
    job["properties"]["tags"] = {**(job["properties"].get("tags") or {}), **state.job_tags.get(name, {})}
    return job


def _routes(state: FakeWorkspace) -> list[tuple[str, str, Any]]:
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

    return [
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
        ("PUT", rf"^{ARM}/jobs/(?P<name>[^/]+)$", create_job),
        ("GET", rf"^{ARM}/jobs/(?P<name>[^/]+)$", get_job),
        ("GET", rf"^/history/v1.0{ARM}/runs/(?P<run>[^/]+)/children$", children),
        ("POST", rf"^/metric/v2.0{ARM}/runs/(?P<run>[^/]+)/full$", metric),
    ]


def _handler(state: FakeWorkspace, routes: list) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, body: Any = None, headers: dict | None = None) -> None:
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for key, value in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def _blob(self, path: str, query: str, raw: bytes) -> None:
            # Azure Blob Storage: HEAD answers 404 for a new blob, PUT stores it (201), PUT ?comp=
            # sets a property of a stored one (200).
            headers = {
                "ETag": '"0x1"',
                "Last-Modified": "Sat, 28 Nov 2026 06:00:00 GMT",
                "x-ms-version": "2021-08-06",
            }
            if self.command == "PUT" and "comp=" in query:
                return self._answer(200 if path in state.blobs else 404, None, headers)
            if self.command == "PUT":
                state.blobs.setdefault(path, raw)
                return self._answer(201, None, {**headers, "x-ms-request-server-encrypted": "true"})
            if path in state.blobs:
                return self._answer(200, None, {**headers, "x-ms-blob-type": "BlockBlob"})
            return self._answer(404, None, {"x-ms-error-code": "BlobNotFound"})

        def _score(self, authorization: str, raw: bytes) -> None:
            # A managed endpoint with key auth: the entry script's answer, 401 without a key.
            if authorization.removeprefix("Bearer ") not in state.keys.values():
                return self._answer(401, {"message": "key auth failed"})
            try:
                return self._answer(200, state.scoring.run(raw.decode()))
            except ValueError as exc:
                return self._answer(400, {"message": str(exc)})

        def _any(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            parts = urlsplit(self.path)
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            authorization = self.headers.get("Authorization", "")
            state.requests.append(
                Request(
                    self.command,
                    self.headers.get("x-fake-host", ""),
                    parts.path,
                    parse_qs(parts.query),
                    body,
                    authorization,
                )
            )
            if parts.path.startswith("/duelstore/"):
                return self._blob(parts.path, parts.query, raw)
            if parts.path == "/score":
                return self._score(authorization, raw)
            if authorization.removeprefix("Bearer ") in state.expired_tokens:
                return self._answer(
                    401,
                    {
                        "error": {
                            "code": "ExpiredAuthenticationToken",
                            "message": "The access token expiry UTC time is earlier than current UTC time.",
                        }
                    },
                    {
                        "WWW-Authenticate": 'Bearer error="invalid_token", error_description="The access token has expired"'
                    },
                )
            for method, pattern, handle in routes:
                match = re.match(pattern, parts.path)
                if method == self.command and match:
                    key = f"{method} {match.re.pattern}"
                    if state.throttled.get(key, 0) > 0:
                        state.throttled[key] -= 1
                        return self._answer(
                            429,
                            {"error": {"code": "TooManyRequests", "message": "throttled"}},
                            {"Retry-After": "1"},
                        )
                    return self._answer(*handle(match, body))
            return self._answer(
                404, {"error": {"code": "NotFound", "message": f"{self.command} {parts.path}"}}
            )

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = _any

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def route_key(method: str, name: str) -> str:
    """The throttling key of a route: ``route_key("GET", "job")`` for reading a job."""
    patterns = {
        "job": rf"^{ARM}/jobs/(?P<name>[^/]+)$",
        "children": rf"^/history/v1.0{ARM}/runs/(?P<run>[^/]+)/children$",
    }
    return f"{method} {patterns[name]}"


class FakeAzureServer:
    """Serves a :class:`FakeWorkspace` on 127.0.0.1 (a random port) until :meth:`close`."""

    def __init__(self) -> None:
        self.state = FakeWorkspace()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
        self.state.port = self._server.server_address[1]
        self._server.RequestHandlerClass = _handler(self.state, _routes(self.state))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
