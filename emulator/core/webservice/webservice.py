"""``azureml.core.webservice.webservice``: the ``Webservice`` base every deployed service shares.

``Model.deploy`` calls :func:`._deployment._deploy`. The deployment configuration picks the class:
``AciWebservice.deploy_configuration(...)`` (served locally, returned ``Transitioning`` like ACI:
call ``wait_for_deployment``), ``LocalWebservice.deploy_configuration(port)`` (a local process,
healthy when ``deploy`` returns) or the emulator-only ``DockerWebservice.deploy_configuration(...)``
(a container of ``deployments/Dockerfile`` through the ``docker`` SDK). Setting
``DUEL_EMULATOR_WEBSERVICE_HOST=docker`` puts ACI and local services in containers too, so SDK
code runs unchanged against containers.

Each service lives in ``<workspace>/webservices/<name>/`` (a copy of the source directory under
``app/``, the models under ``azureml-models/<name>/<version>/`` as Azure mounts them, ``keys.json``
and ``logs/``); its record (state, URIs, host handle) is a ``webservice`` asset in the workspace
store, so any process can find, call, update or delete it.
"""

from __future__ import annotations

import json
import math
import secrets
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from ...exceptions import WebserviceException
from ...serving.auth import read_keys, write_keys
from ...serving.host_choice import default_host_name, host_named
from ...serving.hosts import ServiceSpec
from ...serving.process import free_port, is_healthy
from .. import _names
from .._filters import matches as _matches
from ._staging import _stage_models, _stage_source

_ASSET = "webservice"
# Service classes by name, as stored in each record: ``Webservice(ws, name)`` rebuilds the right one.
_CLASSES: dict[str, type[Webservice]] = {}
_KEYS_FILE = "keys.json"
_LOCAL_TIMEOUT_SECONDS = 300


def webservice_name_validation(name: str) -> None:
    """The SDK's rule for service names."""
    _names.webservice_name(name)


def _now() -> str:
    return datetime.now(UTC).isoformat()


# -- deployment configurations


class WebserviceDeploymentConfiguration:
    """Base of the deployment configurations; ``_webservice_type`` is the class it deploys."""

    _webservice_type: type[Webservice]

    def validate_configuration(self):
        for name in ("cpu_cores", "memory_gb"):
            value = getattr(self, name, None)
            if value is not None and (not isinstance(value, int | float) or value <= 0):
                raise WebserviceException(f"Invalid configuration, {name} must be greater than zero.")
        port = getattr(self, "port", None)
        if port is not None and (not isinstance(port, int) or not 0 < port < 65536):
            raise WebserviceException("Invalid configuration, port must be an integer between 1 and 65535.")


# -- services


class Webservice:
    """A deployed service. ``Webservice(workspace, name)`` returns the subclass it was deployed as.

    ``state``, ``scoring_uri``, ``swagger_uri``, ``compute_type`` and ``auth_enabled`` are plain
    attributes filled from the stored record, as in the SDK; ``update_deployment_state()``
    refreshes them.
    """

    _webservice_type = "Webservice"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _CLASSES[cls.__name__] = cls

    def __new__(cls, workspace, name, *args, **kwargs):
        if cls is not Webservice:
            return super().__new__(cls)
        record = _load(workspace, name)
        return super().__new__(_CLASSES[record["class"]])

    def __init__(self, workspace, name):
        self.workspace = workspace
        self.name = name
        self._client: httpx.Client | None = None
        self._apply(_load(workspace, name))

    # -- record
    def _apply(self, record: dict[str, Any]) -> None:
        self._record = record
        self.compute_type = record["computeType"]
        self.state = record["state"]
        self.error = record.get("error")
        self.scoring_uri = record["scoringUri"]
        self.swagger_uri = record["swaggerUri"]
        self.auth_enabled = record["authEnabled"]
        self.port = record["port"]
        self.tags = record.get("tags") or {}
        self.properties = record.get("properties") or {}
        self.description = record.get("description")
        self.created_time = record["createdTime"]
        self.updated_time = record["updatedTime"]

    def _save(self, **fields) -> None:
        record = {**self._record, **fields, "updatedTime": _now()}
        self.workspace._store.put_asset(_ASSET, self.name, record)
        self._apply(record)

    @property
    def _folder(self) -> Path:
        return Path(self._record["folder"])

    @property
    def _host(self):
        return host_named(self._record["host"])

    def _spec(self) -> ServiceSpec:
        record = self._record
        return ServiceSpec(
            folder=self._folder,
            entry_script=record["entryScript"],
            model_dir=record["modelDir"],
            port=record["port"],
            keys_file=_KEYS_FILE if record["authEnabled"] else None,
            workers=record["workers"],
            cpu_cores=record.get("cpuCores"),
            memory_gb=record.get("memoryGb"),
        )

    # -- life cycle
    @classmethod
    def _create(cls, workspace, name, models, inference_config, config, overwrite):
        if inference_config is None:
            raise WebserviceException(
                "Error, the emulator deploys with an InferenceConfig naming an entry script; "
                "no-code deployment is not emulated."
            )
        inference_config.validate_configuration()
        if workspace._store.get_asset(_ASSET, name) is not None:
            if not overwrite:
                raise WebserviceException(
                    f"Error, there is already a service with name {name} found in workspace {workspace.name}"
                )
            Webservice(workspace, name).delete()
        folder = workspace._store.folder("webservices", name)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        auth = cls._auth_enabled(config)
        primary = getattr(config, "primary_key", None) or secrets.token_urlsafe(24)
        secondary = getattr(config, "secondary_key", None) or secrets.token_urlsafe(24)
        write_keys(folder / _KEYS_FILE, primary, secondary)
        port = getattr(config, "port", None) or free_port()
        cpu_cores = getattr(config, "cpu_cores", None)
        created = _now()
        record = {
            "name": name,
            "class": cls.__name__,
            "computeType": cls._webservice_type,
            "host": cls._host_name(),
            "state": "Transitioning",
            "folder": str(folder),
            "port": port,
            "scoringUri": f"http://127.0.0.1:{port}/score",
            "swaggerUri": f"http://127.0.0.1:{port}/swagger.json",
            "authEnabled": auth,
            "workers": max(1, math.ceil(cpu_cores)) if cpu_cores else 1,
            "cpuCores": cpu_cores,
            "memoryGb": getattr(config, "memory_gb", None),
            "tags": getattr(config, "tags", None) or {},
            "properties": getattr(config, "properties", None) or {},
            "description": getattr(config, "description", None),
            "createdTime": created,
            "updatedTime": created,
        }
        record.update(_stage_models(folder, models))
        record.update(_stage_source(folder, inference_config))
        workspace._store.put_asset(_ASSET, name, record)
        service = cls(workspace, name)
        service._start()
        return service

    @staticmethod
    def _auth_enabled(config) -> bool:
        return bool(getattr(config, "auth_enabled", False))

    @staticmethod
    def _host_name() -> str:
        return default_host_name()

    def _start(self) -> None:
        try:
            handle = self._host.start(self._spec())
        except Exception as exc:
            self._save(state="Failed", error={"message": f"the service could not start: {exc}"})
            raise WebserviceException(f"Error, service {self.name} could not start: {exc}") from exc
        self._save(state="Transitioning", handle=handle, error=None)

    def _restart(self, **fields) -> None:
        if self._record.get("handle"):
            self._host.stop(self._record["handle"])
        self._save(handle=None, **fields)
        self._start()

    def update_deployment_state(self):
        """Refresh ``state`` from the running server: Healthy, Transitioning, Unhealthy or Failed."""
        self._apply(_load(self.workspace, self.name))
        handle = self._record.get("handle")
        if self.state in ("Failed", "Deleted") or not handle:
            return
        if is_healthy(self.scoring_uri.rsplit("/", 1)[0]):
            state = "Healthy"
        elif self._host.alive(handle):
            state = "Transitioning" if self.state == "Transitioning" else "Unhealthy"
        else:
            state = "Failed"
        if state != self.state:
            error = {"message": "the scoring server exited; see get_logs()"} if state == "Failed" else None
            self._save(state=state, error=error)

    def wait_for_deployment(self, show_output=False, timeout_sec=None):
        """Poll until the service is Healthy; ``WebserviceException`` when it fails or the time runs out."""
        deadline = time.monotonic() + (timeout_sec or _LOCAL_TIMEOUT_SECONDS)
        while True:
            self.update_deployment_state()
            if show_output:
                print(self.state, flush=True)
            if self.state == "Healthy":
                return
            if self.state == "Failed":
                raise WebserviceException(
                    "Service deployment polling reached non-successful terminal state, current service state: "
                    f"Failed\nMore information can be found using '.get_logs()'\nError:\n"
                    f"{json.dumps(self.error, indent=2)}\n{self.get_logs(num_lines=40)}"
                )
            if time.monotonic() > deadline:
                raise WebserviceException(
                    f"Service deployment polling timed out after {timeout_sec or _LOCAL_TIMEOUT_SECONDS} seconds, "
                    f"current service state: {self.state}"
                )
            time.sleep(0.2)

    # -- calling
    def run(self, input):
        """POST ``input`` (a JSON string, or anything ``json.dumps`` takes) to the scoring URI."""
        if self.state != "Healthy":
            self.update_deployment_state()
        if self.state != "Healthy":
            raise WebserviceException(
                "Error attempting to call webservice, scoring_uri unavailable. This could be due to a failed "
                f"deployment, or the service is not ready yet.\nCurrent State: {self.state}\nErrors: {self.error}"
            )
        body = input if isinstance(input, str | bytes) else json.dumps(input)
        headers = {"Content-Type": "application/json"}
        if self.auth_enabled:
            headers["Authorization"] = f"Bearer {self.get_keys()[0]}"
        if self._client is None:
            self._client = httpx.Client(timeout=60)
        response = self._client.post(self.scoring_uri, content=body, headers=headers)
        if response.status_code == 200:
            return response.json()
        raise WebserviceException(
            "Received bad response from service. More information can be found by calling `.get_logs()` on the "
            f"webservice object.\nResponse Code: {response.status_code}\nHeaders: {dict(response.headers)}\n"
            f"Content: {response.content}"
        )

    # -- keys
    def get_keys(self):
        """The (primary, secondary) authentication keys."""
        if not self.auth_enabled:
            raise WebserviceException(
                f"Error, keys are not enabled for service {self.name}: auth_enabled is False."
            )
        return read_keys(self._folder / _KEYS_FILE)

    def regen_key(self, key, set_key=None):
        """Replace the ``Primary`` or ``Secondary`` key (with ``set_key`` if given); the old one stops working."""
        if key not in ("Primary", "Secondary"):
            raise WebserviceException(f'Error, unknown key type "{key}". Must be "Primary" or "Secondary"')
        primary, secondary = self.get_keys()
        fresh = set_key or secrets.token_urlsafe(24)
        if key == "Primary":
            primary = fresh
        else:
            secondary = fresh
        write_keys(self._folder / _KEYS_FILE, primary, secondary)

    def get_token(self):
        raise NotImplementedError(f"{type(self).__name__} does not support token authentication.")

    # -- logs, listing, deletion
    def get_logs(self, num_lines=5000, init=False):
        """The server's output: startup, the request log (keys are never written) and errors."""
        handle = self._record.get("handle")
        return self._host.logs(handle, num_lines) if handle else ""

    def delete(self):
        """Stop the server, remove its folder and record."""
        handle = self._record.get("handle")
        if handle:
            self._host.stop(handle)
        shutil.rmtree(self._folder, ignore_errors=True)
        self.workspace._store.delete_asset(_ASSET, self.name)
        if self._client is not None:
            self._client.close()
        self.state = "Deleted"

    @staticmethod
    def list(
        workspace,
        compute_type=None,
        image_name=None,
        image_id=None,
        model_name=None,
        model_id=None,
        tags=None,
        properties=None,
        image_digest=None,
    ):
        """Services of the workspace, filtered like the SDK (tags: keys or [key, value] pairs)."""
        found = []
        for record in workspace._store.list_assets(_ASSET):
            models = record.get("models", [])
            if compute_type and record["computeType"].lower() != compute_type.lower():
                continue
            if model_name and model_name not in {m["name"] for m in models}:
                continue
            if model_id and model_id not in {m["id"] for m in models}:
                continue
            if tags and not _matches(record.get("tags") or {}, tags):
                continue
            if properties and not _matches(record.get("properties") or {}, properties):
                continue
            found.append(Webservice(workspace, record["name"]))
        return found

    def serialize(self):
        return {
            "name": self.name,
            "computeType": self.compute_type,
            "state": self.state,
            "scoringUri": self.scoring_uri,
            "swaggerUri": self.swagger_uri,
            "authEnabled": self.auth_enabled,
            "tags": self.tags,
            "properties": self.properties,
            "description": self.description,
            "createdTime": self.created_time,
            "updatedTime": self.updated_time,
            "models": self._record.get("models", []),
        }

    @classmethod
    def deserialize(cls, workspace, webservice_payload):
        return Webservice(workspace, webservice_payload["name"])

    def __repr__(self):
        return (
            f"{type(self).__name__}(workspace={self.workspace!r}, name={self.name}, "
            f"state={self.state}, scoring_uri={self.scoring_uri})"
        )


# -- helpers


def _load(workspace, name) -> dict[str, Any]:
    record = workspace._store.get_asset(_ASSET, name)
    if record is None:
        raise WebserviceException(
            f"WebserviceNotFound: Webservice with name {name} not found in provided workspace"
        )
    return record
