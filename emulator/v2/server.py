"""``V2Server``: one emulator workspace served as Azure ML's v2 REST surface, over HTTPS.

Everything a client needs to reach it is ordinary Azure configuration (see :meth:`V2Server.environment`):
the cloud's endpoints from ``ARM_CLOUD_METADATA_URL`` (a cloud named ``AZUREML_CURRENT_CLOUD``),
tokens from a managed-identity endpoint (``IDENTITY_ENDPOINT`` / ``IDENTITY_HEADER``), the
emulator's certificate authority in ``REQUESTS_CA_BUNDLE``, and the storage account's hosts through
``HTTPS_PROXY`` (they are names the SDK builds from the cloud's storage suffix, which no resolver knows).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import _http, _tls, routes
from ._cloud import CLOUD


@dataclass
class Tokens:
    """Bearer tokens the identity endpoint issued; only those are accepted."""

    identity_header: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    issued: set[str] = field(default_factory=set)

    def issue(self, lifetime: int = 3600) -> tuple[str, int]:
        token = secrets.token_urlsafe(24)
        self.issued.add(token)
        return token, int(time.time()) + lifetime

    def accepts(self, authorization: str) -> bool:
        return authorization.startswith("Bearer ") and authorization.removeprefix("Bearer ") in self.issued


@dataclass
class Surface:
    """What every route reads: the workspace, its ARM id and the server's addresses."""

    workspace: object
    base_url: str = ""
    ca_file: Path | None = None
    tokens: Tokens = field(default_factory=Tokens)
    storage_host_suffix: str = ".blob.core.emulator"
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def store(self):
        return self.workspace._store

    @property
    def blob_root(self) -> Path:
        return self.store.folder("v2-blobs")

    @property
    def mlflow_tracking_uri(self) -> str:
        """Where the MLflow tracking API is served: Azure's path, on this server."""
        return f"{self.base_url}/mlflow/v1.0{self.arm}"

    def job_environment(self, run_id: str) -> dict[str, str]:
        """What Azure injects into a job so that MLflow inside it logs to the job's run."""
        return {
            "MLFLOW_TRACKING_URI": self.mlflow_tracking_uri,
            "MLFLOW_RUN_ID": run_id,
            "MLFLOW_TRACKING_TOKEN": self.tokens.issue()[0],
            "MLFLOW_TRACKING_SERVER_CERT_PATH": str(self.ca_file),
            "REQUESTS_CA_BUNDLE": str(self.ca_file),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }

    @property
    def arm(self) -> str:
        ws = self.workspace
        return (
            f"/subscriptions/{ws.subscription_id}/resourceGroups/{ws.resource_group}"
            f"/providers/Microsoft.MachineLearningServices/workspaces/{ws.name}"
        )


class V2Server:
    """Serves ``workspace`` on ``host`` (a free port unless given) until :meth:`close`.

    Args:
        workspace: the emulator workspace (``emulator.core.Workspace``) whose store it serves.
        folder: where the certificate authority is kept (made on first use).
        host: the address to listen on.
        port: the HTTPS port; 0 picks a free one. The proxy port is always a free one.
    """

    def __init__(self, workspace, folder: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.surface = Surface(workspace)
        names = [host, "localhost", f"*{self.surface.storage_host_suffix}"]
        tls, self.ca_file = _tls.server_context(Path(folder), names)
        self.surface.ca_file = self.ca_file
        table = routes.table(self.surface)
        self._https = _http.Server((host, port), self.surface, table, tls)
        self._proxy = _http.Server((host, 0), self.surface, table, tls, secure=False)
        self.surface.base_url = f"https://{host}:{self._https.server_address[1]}"
        self.proxy_url = f"http://{host}:{self._proxy.server_address[1]}"
        self._shell_token = self.surface.tokens.issue(lifetime=30 * 86400)[0]
        self._threads = [
            threading.Thread(target=server.serve_forever, daemon=True, name=f"emulator-v2-{index}")
            for index, server in enumerate((self._https, self._proxy))
        ]
        for thread in self._threads:
            thread.start()

    @property
    def url(self) -> str:
        """The HTTPS root (the resource manager and every regional API of the cloud)."""
        return self.surface.base_url

    def config(self) -> dict[str, str]:
        """The workspace's ``config.json``, as the studio's download writes it."""
        ws = self.surface.workspace
        return {
            "subscription_id": ws.subscription_id,
            "resource_group": ws.resource_group,
            "workspace_name": ws.name,
        }

    def environment(self) -> dict[str, str]:
        """The variables that point azure-ai-ml, azure-identity and mlflow at this server."""
        hosts = "127.0.0.1,localhost"
        return {
            "ARM_CLOUD_METADATA_URL": f"{self.url}/metadata/endpoints?api-version=2019-05-01",
            "AZUREML_CURRENT_CLOUD": CLOUD,
            "IDENTITY_ENDPOINT": f"{self.url}/msi/token",
            "IDENTITY_HEADER": self.surface.tokens.identity_header,
            "REQUESTS_CA_BUNDLE": str(self.ca_file),
            "SSL_CERT_FILE": str(self.ca_file),
            "HTTPS_PROXY": self.proxy_url,
            "https_proxy": self.proxy_url,
            "NO_PROXY": hosts,
            "no_proxy": hosts,
            # The MLflow client's credential (azureml-mlflow would take it from the Azure credential).
            "MLFLOW_TRACKING_TOKEN": self._shell_token,
        }

    def close(self) -> None:
        """Stop both servers."""
        for server in (self._https, self._proxy):
            server.shutdown()
            server.server_close()
