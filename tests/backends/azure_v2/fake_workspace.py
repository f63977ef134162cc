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
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from azure.ai.ml import MLClient
from azure.ai.ml._restclient.runhistory.models import Run
from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import RequestsTransport

from tests.backends.azure_v2 import fake_storage
from tests.backends.azure_v2.fake_routes import ARM, GROUP, SUBSCRIPTION, WORKSPACE, route_key, routes

__all__ = [
    "ARM",
    "GROUP",
    "SUBSCRIPTION",
    "WORKSPACE",
    "FakeAzureServer",
    "LocalTransport",
    "StubCredential",
    "route_key",
]


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
    assets: dict[tuple[str, str], dict[str, dict]] = field(default_factory=dict)  # (data|models, name)
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

    def add_finished_child(self, name: str, files: dict[str, bytes], **properties: str) -> None:
        """A completed child job as the job API shows it, with files in its artifact store."""
        self.jobs[name] = {
            "id": f"{ARM}/jobs/{name}",
            "name": name,
            "properties": {
                "jobType": "Command",
                "status": "Completed",
                "command": "python script.py",
                "environmentId": f"{ARM}/environments/AzureML-AutoML/versions/1",
                "computeId": f"{ARM}/computes/cpu-cluster",
                "properties": properties,
                "tags": {},
                "outputs": {},
            },
        }
        for path, content in files.items():
            self.blobs[f"azureml-workspaceartifactstore/ExperimentRun/dcid.{name}/{path}"] = content

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


def _handler(state: FakeWorkspace, routes: list, tls: ssl.SSLContext) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(self, status: int, payload: bytes, headers: dict, length: str | None = None) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", length or str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def _answer(self, status: int, body: Any = None, headers: dict | None = None) -> None:
            payload = b"" if body is None else json.dumps(body).encode()
            self._send(status, payload, {"Content-Type": "application/json", **(headers or {})})

        def do_CONNECT(self) -> None:
            # HTTPS_PROXY: the storage account's host, tunnelled here and served over TLS.
            self.send_response(200, "Connection established")
            self.end_headers()
            Handler(tls.wrap_socket(self.connection, server_side=True), self.client_address, self.server)
            self.close_connection = True

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
            blob = fake_storage.blob_path(self.headers.get("Host", ""), parts.path)
            if blob:
                ranged = "x-ms-range" in self.headers or "Range" in self.headers
                status, payload, headers = fake_storage.answer(
                    state.blobs, self.command, blob, parts.query, raw, ranged
                )
                return self._send(status, payload, headers, headers.pop("Content-Length-Of-Blob", None))
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


class FakeAzureServer:
    """Serves a :class:`FakeWorkspace` on 127.0.0.1 (a random port) until :meth:`close`."""

    def __init__(self) -> None:
        self.state = FakeWorkspace()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
        self.state.port = self._server.server_address[1]
        self._folder = tempfile.TemporaryDirectory(prefix="fake-azure-")
        tls, self.certificate = fake_storage.tls_context(Path(self._folder.name))
        self._server.RequestHandlerClass = _handler(self.state, routes(self.state), tls)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def proxy_environment(self) -> dict[str, str]:
        """What points this process's storage clients at the server (see fake_storage)."""
        proxy = f"http://127.0.0.1:{self.state.port}"
        return {
            "HTTPS_PROXY": proxy,
            "https_proxy": proxy,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "REQUESTS_CA_BUNDLE": str(self.certificate),
        }

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._folder.cleanup()
