"""``Workspace``: a folder under the emulator home holding one workspace's store and files."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from ..exceptions import UserErrorException, WorkspaceException
from ..store import AbstractStore, SqliteStore
from . import _names
from ._home import emulator_home, use_home  # noqa: F401  (the emulator's callers import them from here)
from ._reaper import _reap_dead_runs

_CONFIG_NAMES = (
    "config.json",
    os.path.join(".azureml", "config.json"),
    os.path.join("aml_config", "config.json"),
)
_stores: dict[Path, AbstractStore] = {}
_stores_lock = threading.Lock()


def _store_for(folder: Path) -> AbstractStore:
    with _stores_lock:
        store = _stores.get(folder)
        if store is None:
            store = _stores[folder] = SqliteStore(folder)
            # Runs whose process died since the workspace was last opened become Failed now.
            _reap_dead_runs(store)
        return store


class Workspace:
    """An emulated Azure ML workspace, created on first use as ``<emulator home>/<workspace_name>``.

    Subscription and resource group are recorded but do not change the folder: the workspace
    name alone identifies a workspace in the emulator.
    """

    def __init__(
        self,
        subscription_id,
        resource_group,
        workspace_name,
        auth=None,
        _location=None,
        _disable_service_check=False,
        _workspace_id=None,
        sku="basic",
        tags=None,
        _cloud="AzureCloud",
    ):
        _names.workspace_name(workspace_name)
        self._subscription_id = subscription_id
        self._resource_group = resource_group
        self._workspace_name = workspace_name
        self._location = _location or "local"
        self._sku = sku
        self._folder = emulator_home() / workspace_name
        self._store = _store_for(self._folder)
        meta = self._folder / "workspace.json"
        if not meta.exists():
            details = {
                "subscription_id": subscription_id,
                "resource_group": resource_group,
                "workspace_name": workspace_name,
                "location": self._location,
                "sku": sku,
                "tags": tags or {},
            }
            meta.write_text(json.dumps(details, indent=2))
        self._tags = json.loads(meta.read_text()).get("tags", {})

    # -- constructors
    @staticmethod
    def from_config(path=None, auth=None, _logger=None, _file_name=None):
        """The workspace named by an Azure ``config.json``: ``path`` (a file or folder), else the
        first ``config.json``, ``.azureml/config.json`` in the current folder or its parents."""
        config = _find_config(Path(path) if path else Path.cwd(), _file_name, search_parents=path is None)
        data = json.loads(config.read_text())
        missing = [k for k in ("subscription_id", "resource_group", "workspace_name") if k not in data]
        if missing:
            raise UserErrorException(f"{config} is missing the key(s) {', '.join(missing)}")
        return Workspace(data["subscription_id"], data["resource_group"], data["workspace_name"], auth=auth)

    @staticmethod
    def get(
        name, auth=None, subscription_id=None, resource_group=None, location=None, cloud="AzureCloud", id=None
    ):
        """An existing workspace; WorkspaceException if it was never created."""
        _names.workspace_name(name)
        if not (emulator_home() / name / "workspace.json").exists():
            raise WorkspaceException(f"Workspace not found: no workspace named {name!r} in {emulator_home()}")
        details = json.loads((emulator_home() / name / "workspace.json").read_text())
        return Workspace(details["subscription_id"], details["resource_group"], name, auth=auth)

    @staticmethod
    def create(
        name,
        auth=None,
        subscription_id=None,
        resource_group=None,
        location=None,
        create_resource_group=True,
        sku="basic",
        tags=None,
        friendly_name=None,
        storage_account=None,
        key_vault=None,
        app_insights=None,
        container_registry=None,
        adb_workspace=None,
        primary_user_assigned_identity=None,
        cmk_keyvault=None,
        resource_cmk_uri=None,
        hbi_workspace=False,
        default_cpu_compute_target=None,
        default_gpu_compute_target=None,
        private_endpoint_config=None,
        private_endpoint_auto_approval=True,
        exist_ok=False,
        show_output=True,
        user_assigned_identity_for_cmk_encryption=None,
        system_datastores_auth_mode="accessKey",
        v1_legacy_mode=None,
    ):
        """Create the workspace folder; UserErrorException if it exists and ``exist_ok`` is False."""
        _names.workspace_name(name)
        if (emulator_home() / name / "workspace.json").exists() and not exist_ok:
            raise UserErrorException(f"Workspace with name {name!r} already exists")
        return Workspace(subscription_id, resource_group, name, _location=location, sku=sku, tags=tags)

    @staticmethod
    def list(subscription_id, auth=None, resource_group=None):
        """{name: [Workspace]} for every workspace folder under the emulator home."""
        home = emulator_home()
        found = sorted(p.parent.name for p in home.glob("*/workspace.json")) if home.exists() else []
        workspaces = {name: [Workspace.get(name)] for name in found}
        if resource_group is not None:
            workspaces = {n: ws for n, ws in workspaces.items() if ws[0].resource_group == resource_group}
        return workspaces

    def write_config(self, path=None, file_name=None):
        """Write ``.azureml/<file_name or config.json>`` under ``path`` (default: the current folder)."""
        folder = Path(path or ".") / ".azureml"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / (file_name or "config.json")
        target.write_text(
            json.dumps(
                {
                    "subscription_id": self.subscription_id,
                    "resource_group": self.resource_group,
                    "workspace_name": self.name,
                },
                indent=2,
            )
        )

    # -- properties
    @property
    def name(self):
        return self._workspace_name

    @property
    def subscription_id(self):
        return self._subscription_id

    @property
    def resource_group(self):
        return self._resource_group

    @property
    def location(self):
        return self._location

    @property
    def sku(self):
        return self._sku

    @property
    def tags(self):
        return dict(self._tags)

    @property
    def experiments(self):
        """{name: Experiment} of the workspace's active experiments."""
        from .experiment import Experiment

        return {e.name: e for e in Experiment.list(self)}

    @property
    def models(self):
        """{name: latest Model version}."""
        from .model import Model

        return {m.name: m for m in Model.list(self, latest=True)}

    @property
    def datasets(self):
        """{name: latest registered dataset version}."""
        from .dataset import Dataset

        return Dataset.get_all(self)

    @property
    def compute_targets(self):
        from .compute import ComputeTarget

        return {c.name: c for c in ComputeTarget.list(self)}

    @property
    def webservices(self):
        """{name: Webservice} of the workspace's deployed services."""
        from .webservice import Webservice

        return {service.name: service for service in Webservice.list(self)}

    @property
    def environments(self):
        from .environment import Environment

        return Environment.list(self)

    def get_default_datastore(self):
        from .datastore import Datastore

        return Datastore.get_default(self)

    @property
    def datastores(self):
        from .datastore import Datastore

        root = self._folder / "datastores"
        names = {p.name for p in root.iterdir()} if root.exists() else set()
        return {name: Datastore(self, name) for name in sorted(names | {"workspaceblobstore"})}

    def get_details(self) -> dict[str, Any]:
        return {
            "id": f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.MachineLearningServices/workspaces/{self.name}",
            "name": self.name,
            "location": self.location,
            "sku": self.sku,
            "tags": self.tags,
            "workspaceFolder": str(self._folder),
        }

    def __eq__(self, other):
        return isinstance(other, Workspace) and other._folder == self._folder

    def __hash__(self):
        return hash(self._folder)

    def __repr__(self):
        return (
            f"Workspace.create(name='{self.name}', subscription_id='{self.subscription_id}', "
            f"resource_group='{self.resource_group}')"
        )


def _find_config(start: Path, file_name: str | None, search_parents: bool) -> Path:
    if start.is_file():
        return start
    names = (file_name,) if file_name else _CONFIG_NAMES
    folders = [start.resolve(), *start.resolve().parents] if search_parents else [start.resolve()]
    for folder in folders:
        for name in names:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    raise UserErrorException(
        f"We could not find config.json in: {start.resolve()} or in its parent directories. Please provide the "
        "full path to the config file or ensure that config.json exists in the parent directories."
    )
