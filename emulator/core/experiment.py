"""``Experiment``: a named group of runs in a workspace; ``submit`` hands a config its experiment."""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..exceptions import UserErrorException
from . import _names
from .run import Run


class Experiment:
    """The experiment ``name`` of ``workspace``, created on first use as in the SDK."""

    def __init__(
        self,
        workspace,
        name,
        _skip_name_validation=False,
        _id=None,
        _archived_time=None,
        _create_in_cloud=True,
        _experiment_dto=None,
        **kwargs,
    ):
        if not _skip_name_validation:
            _names.experiment_name(name)
        self._workspace = workspace
        self._name = name
        self._store = workspace._store
        record = self._store.create_experiment(name) if _create_in_cloud else self._store.get_experiment(name)
        self._id = record["id"] if record else _id

    @property
    def workspace(self):
        return self._workspace

    @property
    def name(self):
        return self._name

    @property
    def id(self):
        return self._id

    @property
    def archived_time(self):
        record = self._store.get_experiment(self._name)
        return record["archived"] if record else None

    @property
    def tags(self):
        return self._store.get_experiment(self._name)["tags"]

    def submit(self, config, tags=None, **kwargs):
        """Submit a run configuration (``ScriptRunConfig``, ``HyperDriveConfig``, ``AutoMLConfig``)."""
        submit = getattr(config, "_submit_to", None)
        if submit is None:
            raise UserErrorException(
                f"Experiment.submit: {type(config).__name__} is not a submittable run configuration"
            )
        return submit(self, tags=tags, **kwargs)

    def start_logging(self, *args, **kwargs):
        """A running interactive run owned by this process; ``with`` completes or fails it."""
        run = Run._create(
            self,
            run_type="azureml.StartLogging",
            display_name=kwargs.get("display_name"),
            status="Running",
            details={
                "snapshotDirectory": str(kwargs["snapshot_directory"])
                if kwargs.get("snapshot_directory")
                else None
            },
        )
        return run

    def get_runs(self, type=None, tags=None, properties=None, include_children=False):
        return Run.list(self, type=type, tags=tags, properties=properties, include_children=include_children)

    @staticmethod
    def list(workspace, experiment_name=None, view_type="ActiveOnly", tags=None):
        """Experiments of ``workspace``; ``view_type`` is ActiveOnly, ArchivedOnly or All."""
        if view_type not in ("ActiveOnly", "ArchivedOnly", "All"):
            raise UserErrorException(f"view_type must be ActiveOnly, ArchivedOnly or All, got {view_type!r}")
        experiments = []
        for record in workspace._store.list_experiments():
            archived = record["archived"] is not None
            if (view_type == "ActiveOnly" and archived) or (view_type == "ArchivedOnly" and not archived):
                continue
            if experiment_name is not None and record["name"] != experiment_name:
                continue
            if tags is not None and not all(record["tags"].get(k) == v for k, v in tags.items()):
                continue
            experiments.append(
                Experiment(workspace, record["name"], _skip_name_validation=True, _create_in_cloud=False)
            )
        return experiments

    @staticmethod
    def from_directory(path, auth=None):
        """The experiment named in ``<path>/.azureml/project.json`` (``Experiment.name``) of the config's workspace."""
        from .workspace import Workspace

        project = Path(path) / ".azureml" / "project.json"
        if not project.is_file():
            raise UserErrorException(f"No .azureml/project.json in {path}")
        name = json.loads(project.read_text()).get("Experiment")
        return Experiment(Workspace.from_config(path), name)

    def archive(self):
        self._store.update_experiment(self._name, {"archived": time.time()})

    def reactivate(self, new_name=None):
        if new_name is not None:
            self._store.update_experiment(self._name, {"name": new_name})
            self._name = new_name
        self._store.update_experiment(self._name, {"archived": None})

    def tag(self, key, value=None):
        self.set_tags({key: value})

    def set_tags(self, tags):
        self._store.update_experiment(self._name, {"tags": {**self.tags, **tags}})

    def remove_tags(self, tags):
        self._store.update_experiment(
            self._name, {"tags": {k: v for k, v in self.tags.items() if k not in tags}}
        )

    @staticmethod
    def delete(workspace, experiment_id):
        """Delete an experiment (by id) that has no runs."""
        for record in workspace._store.list_experiments():
            if record["id"] == experiment_id:
                try:
                    workspace._store.delete_experiment(record["name"])
                except ValueError as error:
                    raise UserErrorException(f"Cannot delete experiment {record['name']}: {error}") from error
                return
        raise UserErrorException(f"Experiment with id {experiment_id} not found")

    def __eq__(self, other):
        return isinstance(other, Experiment) and other.name == self.name and other.workspace == self.workspace

    def __hash__(self):
        return hash((self._name, self._workspace))

    def __repr__(self):
        return f"Experiment(Name: {self._name},\nWorkspace: {self._workspace.name})"
