"""The storage interface every emulator backend implements.

Records are plain dicts of JSON-friendly values so that backends stay interchangeable. Metrics,
tags and properties of a run are all written through one primitive, :meth:`AbstractStore.log_batch`
(MLflow's idea), so batching and durability live in one place.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..exceptions import UserErrorException
from ._paths import contained
from ._staging import staging_folder
from ._uploads import Upload, recover, sweep_legacy_partials

TERMINAL_STATUSES = frozenset({"Completed", "Failed", "Canceled"})


@dataclass(frozen=True)
class Metric:
    """One logged value. ``kind`` is the SDK's metric type (scalar, list, row, table, image, ...)."""

    name: str
    value: Any
    step: int | None = None
    kind: str = "scalar"
    time: float = field(default_factory=time.time)


class AbstractStore(ABC):
    """State of one workspace: experiments, runs, metrics, artifacts index, models, datasets, assets.

    ``root`` is the workspace folder; backends keep their files (artifacts, model versions,
    dataset snapshots) under it. Every method is safe to call from several processes at once.
    """

    root: Path

    # -- experiments
    @abstractmethod
    def create_experiment(self, name: str) -> dict:
        """Return the experiment named ``name``, creating it first if absent."""

    @abstractmethod
    def get_experiment(self, name: str) -> dict | None: ...

    @abstractmethod
    def list_experiments(self) -> list[dict]: ...

    @abstractmethod
    def update_experiment(self, name: str, fields: Mapping[str, Any]) -> None:
        """Set ``archived``, ``tags`` or ``name`` (a rename)."""

    @abstractmethod
    def delete_experiment(self, name: str) -> None:
        """Remove an experiment that has no runs; raise ValueError otherwise."""

    # -- runs
    @abstractmethod
    def create_run(self, run: Mapping[str, Any]) -> dict:
        """Insert a run; the store numbers it within its experiment and returns the record."""

    @abstractmethod
    def get_run(self, run_id: str) -> dict | None: ...

    @abstractmethod
    def search_runs(
        self,
        experiment: str | None = None,
        parent_id: str | None | type[Ellipsis] = ...,
        statuses: Iterable[str] | None = None,
    ) -> list[dict]:
        """Runs in creation order. ``parent_id=None`` means top-level runs only, ``...`` any run."""

    @abstractmethod
    def update_run(self, run_id: str, fields: Mapping[str, Any], unless_status: Iterable[str] = ()) -> bool:
        """Update columns of a run unless its status is one of ``unless_status``; True if updated."""

    @abstractmethod
    def log_batch(
        self,
        run_id: str,
        metrics: Iterable[Metric] = (),
        tags: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> None:
        """Append metrics and merge tags and properties in one durable transaction."""

    @abstractmethod
    def get_metrics(self, run_ids: Iterable[str], name: str | None = None) -> list[dict]:
        """Metric rows (run_id, name, value, step, kind, time) of those runs in logging order."""

    def metric_names(self, run_ids: Iterable[str], kind: str | None = None) -> list[str]:
        """Sorted names of the metrics (of ``kind``, if given) those runs logged, without their values.

        Backends that can answer from an index override this; reading every row works everywhere.
        """
        return sorted({r["name"] for r in self.get_metrics(run_ids) if kind is None or r["kind"] == kind})

    @abstractmethod
    def add_artifacts(self, run_id: str, entries: Iterable[tuple[str, int]]) -> None:
        """Index artifact files (name, size) that were written under :meth:`artifact_path`."""

    @abstractmethod
    def list_artifacts(self, run_id: str) -> list[dict]: ...

    def artifact_path(self, run_id: str, name: str = "") -> Path:
        """Where the artifact ``name`` of a run lives on disk."""
        return self.folder("artifacts", run_id, rest=name)

    def begin_upload(self, run_id: str, name: str) -> Upload:
        """Record an upload of artifact ``name`` before it starts, so a kill mid-way is settled on reopen."""
        return Upload(self.root, run_id, name)

    def recover_uploads(self) -> list[str]:
        """Settle the uploads whose writer died (see ``_uploads``); run when a store opens."""

        def indexed(run_id: str, name: str) -> bool:
            return any(a["name"] == name for a in self.list_artifacts(run_id))

        sweep_legacy_partials(self.root)
        return recover(
            self.root, self.artifact_path, indexed, lambda r, n, size: self.add_artifacts(r, [(n, size)])
        )

    # -- models
    @abstractmethod
    def create_model_version(
        self, name: str, fields: Mapping[str, Any], stage: Callable[[int], None]
    ) -> dict:
        """Register the next version of ``name`` atomically; ``stage(version)`` places its files first."""

    @abstractmethod
    def list_models(self, name: str | None = None) -> list[dict]:
        """Model versions, newest first."""

    @abstractmethod
    def update_model(self, name: str, version: int, fields: Mapping[str, Any]) -> None: ...

    @abstractmethod
    def delete_model(self, name: str, version: int) -> None: ...

    def model_path(self, name: str, version: int) -> Path:
        return self.folder("models", name, str(version))

    # -- datasets
    @abstractmethod
    def create_dataset_version(
        self, name: str, fields: Mapping[str, Any], stage: Callable[[int], None]
    ) -> dict:
        """Register the next version of a dataset; ``stage(version)`` places its snapshot first."""

    @abstractmethod
    def list_datasets(self, name: str | None = None) -> list[dict]:
        """Dataset versions, newest first."""

    def dataset_path(self, name: str, version: int) -> Path:
        return self.folder("datasets", name, str(version))

    # -- files
    def staging(self) -> AbstractContextManager[Path]:
        """A private folder for a big copy, made outside any transaction; move results out by rename."""
        return staging_folder(self.root)

    def folder(self, area: str, *keys: str, rest: str = "") -> Path:
        """``root/area/keys.../rest``, refused unless it stays inside ``root/area/keys...``.

        Each key (a run id, a model name, a version) must be one plain path segment, and ``rest`` (an
        artifact's relative name) must not climb out of the keys' folder, through '..' or a symlink:
        whatever a caller passes, one run, model or dataset cannot reach another's files.
        """
        base = self.root / area
        for key in keys:
            if not isinstance(key, str) or key in ("", ".", "..") or any(c in key for c in "/\\"):
                raise UserErrorException(f"{key!r} cannot name a folder of the workspace's {area}")
            base = contained(base, key, f"a key of the workspace's {area}")
        return contained(base, rest, f"a file of the workspace's {area}")

    # -- named JSON assets: environments, compute targets, web services
    @abstractmethod
    def put_asset(self, kind: str, name: str, payload: Mapping[str, Any]) -> None: ...

    @abstractmethod
    def get_asset(self, kind: str, name: str) -> dict | None: ...

    @abstractmethod
    def list_assets(self, kind: str) -> list[dict]: ...

    @abstractmethod
    def delete_asset(self, kind: str, name: str) -> None: ...

    # -- slots bounding concurrent runs on a compute target
    @abstractmethod
    def acquire_slot(self, pool: str, capacity: int, holder: str, is_stale: Callable[[dict], bool]) -> bool:
        """Take one of ``capacity`` slots of ``pool`` for ``holder``; stale holders are evicted first."""

    @abstractmethod
    def release_slot(self, pool: str, holder: str) -> None: ...
