"""``Run``: one execution in an experiment, with the SDK's statuses, children, metrics and files.

A ``Run`` object is a handle on a record in the workspace store; every property reads the store,
so a run observed from another process (a controller watching a trial) is always current.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from typing import Any

from ..exceptions import ActivityFailedException, RunEnvironmentException, UserErrorException
from ..store import TERMINAL_STATUSES
from . import _names, _process
from ._filters import matches
from ._offline import _OfflineRun
from ._reaper import ACTIVE_STATUSES, _reap
from ._run_artifacts import RunArtifactsMixin
from ._run_details import RunDetailsMixin
from ._run_metrics import RunMetricsMixin

DRIVER_LOG = "azureml-logs/70_driver_log.txt"

# Run type -> factory(experiment, run_id) for records that rehydrate as a subclass, filled by the
# packages that define those runs when they are imported (the SDK's Run.add_type_provider).
_TYPE_PROVIDERS: dict[str, Any] = {}


class Run(RunMetricsMixin, RunArtifactsMixin, RunDetailsMixin):
    """A run of ``experiment`` identified by ``run_id`` (which must exist in the workspace)."""

    _context_run: Run | None = None

    def __init__(self, experiment, run_id, outputs=None, **kwargs):
        self._experiment = experiment
        self._store = experiment.workspace._store
        self._run_id = run_id
        self._outputs = outputs
        if self._store.get_run(run_id) is None:
            raise UserErrorException(f"Run {run_id} was not found in experiment {experiment.name}")

    # -- creating and finding runs
    @classmethod
    def _create(
        cls,
        experiment,
        *,
        run_type: str,
        parent: Run | None = None,
        run_id: str | None = None,
        display_name: str | None = None,
        status: str = "NotStarted",
        tags: dict | None = None,
        properties: dict | None = None,
        details: dict | None = None,
        pid: int | None = None,
        **kwargs,
    ):
        """Insert a run record and return it as ``cls``; the owning process (``pid``, default this
        one) is watched so the run fails if that process dies while the run is active."""
        run_id = _names.run_id(run_id or f"{experiment.name}_{int(time.time())}_{uuid.uuid4().hex[:8]}")
        pid, started = _process.identity(pid)
        now = time.time()
        experiment.workspace._store.create_run(
            {
                "run_id": run_id,
                "experiment": experiment.name,
                "parent_id": parent.id if parent is not None else None,
                "type": run_type,
                "display_name": display_name or run_id,
                "status": status,
                "created": now,
                "start_time": now if status == "Running" else None,
                "pid": pid,
                "pid_started": started,
                "tags": tags or {},
                "properties": properties or {},
                "details": details or {},
            }
        )
        return cls(experiment, run_id, **kwargs)

    @staticmethod
    def add_type_provider(runtype, run_factory):
        """Rehydrate runs of ``runtype`` with ``run_factory(experiment, run_id)``."""
        _TYPE_PROVIDERS[runtype] = run_factory

    @staticmethod
    def _rehydrate(experiment, record: dict) -> Run:
        return _TYPE_PROVIDERS.get(record["type"], Run)(experiment, record["run_id"])

    @staticmethod
    def get(workspace, run_id):
        """The run ``run_id`` of any experiment in ``workspace``, as its type's class."""
        from .experiment import Experiment

        record = workspace._store.get_run(run_id)
        if record is None:
            raise UserErrorException(f"Run {run_id} was not found in workspace {workspace.name}")
        return Run._rehydrate(Experiment(workspace, record["experiment"]), record)

    @staticmethod
    def list(
        experiment,
        type=None,
        tags=None,
        properties=None,
        status=None,
        include_children=False,
        _rehydrate_runs=True,
    ):
        """Runs of ``experiment``, newest first, filtered like the SDK."""
        records = experiment.workspace._store.search_runs(
            experiment=experiment.name, parent_id=... if include_children else None
        )
        for record in reversed(records):
            if Run._selected(record, type, tags, properties, status):
                yield (
                    Run._rehydrate(experiment, record)
                    if _rehydrate_runs
                    else Run(experiment, record["run_id"])
                )

    @staticmethod
    def _selected(record: dict, type, tags, properties, status) -> bool:
        return (
            (type is None or record["type"] == type)
            and (status is None or record["status"] == status)
            and matches(record["tags"], tags)
            and matches(record["properties"], properties)
        )

    @classmethod
    def get_context(cls, allow_offline=True, used_for_context_manager=False, **kwargs):
        """The live run inside a script the emulator launched; an offline run elsewhere."""
        run_id = os.environ.get("AZUREML_RUN_ID")
        if run_id and os.environ.get("DUEL_EMULATOR_HOME"):
            if cls._context_run is None or cls._context_run.id != run_id:
                from .workspace import Workspace

                workspace = Workspace(
                    os.environ.get("AZUREML_ARM_SUBSCRIPTION"),
                    os.environ.get("AZUREML_ARM_RESOURCEGROUP"),
                    os.environ["AZUREML_ARM_WORKSPACE_NAME"],
                )
                Run._context_run = Run.get(workspace, run_id)
            return Run._context_run
        if not allow_offline:
            raise RunEnvironmentException(
                "Could not load a submitted run, if outside of an execution context, use "
                "experiment.start_logging to initialize an azureml.core.Run."
            )
        return _OfflineRun()

    # -- properties
    def _record(self) -> dict:
        return self._store.get_run(self._run_id)

    @property
    def id(self):
        return self._run_id

    @property
    def experiment(self):
        return self._experiment

    @property
    def parent(self):
        parent_id = self._record()["parent_id"]
        return Run.get(self._experiment.workspace, parent_id) if parent_id else None

    @property
    def number(self):
        return self._record()["number"]

    @property
    def status(self):
        return self.get_status()

    @property
    def display_name(self):
        return self._record()["display_name"]

    @display_name.setter
    def display_name(self, value):
        self._store.update_run(self.id, {"display_name": value})

    @property
    def name(self):
        return self.display_name

    @property
    def type(self):
        return self._record()["type"]

    @property
    def properties(self):
        return self.get_properties()

    @property
    def tags(self):
        return self.get_tags()

    # -- life cycle
    def _set_status(self, status: str, **fields: Any) -> bool:
        """Move to ``status`` unless the run already ended; True if it moved."""
        if status in TERMINAL_STATUSES:
            fields.setdefault("end_time", time.time())
        return self._store.update_run(self.id, {"status": status, **fields}, unless_status=TERMINAL_STATUSES)

    def get_status(self):
        record = self._record()
        if _reap(self._store, record):
            record = self._record()
        return record["status"]

    def start(self):
        self._set_status("Running", start_time=time.time())

    def complete(self, _set_status=True):
        if _set_status:
            self._set_status("Completed")

    def fail(self, error_details=None, error_code=None, _set_status=True):
        if _set_status:
            message = str(error_details) if error_details is not None else "The run was marked failed."
            error = {"code": error_code or "UserError", "message": message}
            if isinstance(error_details, BaseException):
                error["type"] = type(error_details).__name__
            self._set_status("Failed", error=error)

    def cancel(self):
        """Cancel the run and its active descendants, terminating their processes for real."""
        for child in self.get_children(recursive=True, status=None):
            if child.get_status() in ACTIVE_STATUSES or child.get_status() == "NotStarted":
                child._cancel_self()
        self._cancel_self()

    def _cancel_self(self) -> None:
        if not self._set_status("CancelRequested"):
            return
        record = self._record()
        if record["pid"] and record["pid"] != os.getpid():
            _process.terminate_group(record["pid"], record["pid_started"])
        self._set_status("Canceled")

    def flush(self, timeout_seconds=300):
        """No-op: every log call is already committed to the store."""

    def wait_for_completion(self, show_output=False, wait_post_processing=False, raise_on_error=True):
        """Block until the run ends; stream its driver log with ``show_output``."""
        printed = 0
        while True:
            status = self.get_status()
            if show_output:
                printed = self._echo_log(printed)
            if status in TERMINAL_STATUSES:
                break
            time.sleep(0.2)
        details = self.get_details()
        if show_output:
            print(f"\nRunId: {self.id}\nExecution Summary\n=================\nStatus: {status}\n")
        if raise_on_error and status == "Failed":
            error = details.get("error", {}).get("error", {})
            raise ActivityFailedException(
                f"ActivityFailedException: Activity Failed: run {self.id}: {error.get('message', 'unknown error')}"
            )
        return details

    def _echo_log(self, offset: int) -> int:
        path = self._store.artifact_path(self.id, DRIVER_LOG)
        if not path.exists():
            return offset
        with open(path, "rb") as log:
            log.seek(offset)
            chunk = log.read()
        sys.stdout.write(chunk.decode(errors="replace"))
        sys.stdout.flush()
        return offset + len(chunk)

    def __enter__(self):
        if self.get_status() == "NotStarted":
            self.start()
        return self

    def __exit__(self, exc_type, exc_value, tb):
        if exc_value is not None:
            self.fail(error_details=exc_value)
        else:
            self.complete()
        return False

    # -- children
    def child_run(self, name=None, run_id=None, outputs=None):
        """A new running child of this run."""
        return Run._create(
            self._experiment,
            run_type="azureml.ChildRun",
            parent=self,
            run_id=run_id,
            display_name=name,
            status="Running",
        )

    def create_children(self, count=None, tag_key=None, tag_values=None):
        """``count`` children, or one per value of ``tag_values`` tagged ``tag_key``."""
        if tag_values is not None and tag_key is None:
            raise UserErrorException("create_children: tag_values needs a tag_key")
        values = list(tag_values) if tag_values is not None else [None] * (count or 0)
        if count is not None and tag_values is not None and count != len(values):
            raise UserErrorException(f"create_children: count={count} but {len(values)} tag_values")
        return [
            Run._create(
                self._experiment,
                run_type="azureml.ChildRun",
                parent=self,
                tags={tag_key: value} if tag_key is not None else None,
            )
            for value in values
        ]

    def get_children(
        self, recursive=False, tags=None, properties=None, type=None, status=None, _rehydrate_runs=True
    ):
        """Children in creation order (all descendants, breadth first, with ``recursive``)."""
        pending = [self.id]
        while pending:
            records = self._store.search_runs(parent_id=pending.pop(0))
            for record in records:
                if Run._selected(record, type, tags, properties, status):
                    yield (
                        Run._rehydrate(self._experiment, record)
                        if _rehydrate_runs
                        else Run(self._experiment, record["run_id"])
                    )
                if recursive:
                    pending.append(record["run_id"])

    # -- tags and properties
    def tag(self, key, value=None):
        self._store.log_batch(self.id, tags={key: "" if value is None else value})

    def set_tags(self, tags):
        if isinstance(tags, str):
            tags = [tags]
        if not isinstance(tags, dict):
            tags = dict.fromkeys(tags, "")
        self._store.log_batch(self.id, tags=tags)

    def remove_tags(self, tags):
        keys = [tags] if isinstance(tags, str) else list(tags)
        remaining = {k: v for k, v in self.get_tags().items() if k not in keys}
        self._store.update_run(self.id, {"tags": remaining})

    def add_properties(self, properties):
        """Add properties; like the service, a property cannot change once set."""
        current = self.get_properties()
        changed = [k for k, v in properties.items() if k in current and current[k] != v]
        if changed:
            raise UserErrorException(
                f"Properties are immutable: {', '.join(changed)} already set on run {self.id}"
            )
        self._store.log_batch(self.id, properties=properties)

    def get_tags(self):
        return self._record()["tags"]

    def get_properties(self):
        return self._record()["properties"]

    def __eq__(self, other):
        return isinstance(other, Run) and other.id == self.id and other._store is self._store

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        return f"Run(Experiment: {self._experiment.name},\nId: {self.id},\nType: {self.type},\nStatus: {self.get_status()})"
