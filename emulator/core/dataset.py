"""``Dataset`` and ``TabularDatasetFactory``: tabular data from delimited files, registered with versions.

As on Azure, a registered version is a definition (the paths, the read options and the steps), not
a copy: it reads whatever is at its paths when it is read, so a file overwritten in place changes
every version that points at it. Give each version a path of its own to keep its rows. Registering
an unchanged definition returns the existing version.
"""

from __future__ import annotations

import glob
import hashlib
import json
import uuid
from pathlib import Path

from ..exceptions import UserErrorException
from . import _names


def _resolve(path) -> list[Path]:
    """Local files named by a path, a glob or a list of them, in a stable order."""
    paths = path if isinstance(path, list) else [path]
    files: list[Path] = []
    for entry in paths:
        if isinstance(entry, tuple):  # (Datastore, relative path), as the SDK accepts
            datastore, relative = entry
            entry = datastore.path(relative)
        entry = str(entry)
        matches = sorted(glob.glob(entry, recursive=True)) if glob.has_magic(entry) else [entry]
        for match in map(Path, matches):
            files += sorted(p for p in match.rglob("*") if p.is_file()) if match.is_dir() else [match]
    missing = [str(f) for f in files if not f.is_file()]
    if not files or missing:
        raise UserErrorException(
            f"Cannot load any data from the specified path {path!r}: {', '.join(missing) or 'no file matches'}. "
            "Make sure the path is accessible and contains data."
        )
    return [f.resolve() for f in files]


class TabularDataset:
    """Rows read from delimited files, with lazily applied steps (``take``, ``keep_columns``, ...)."""

    def __init__(
        self, files: list[Path], options: dict, steps: list | None = None, registration: dict | None = None
    ):
        self._files = files
        self._options = options
        self._steps = steps or []
        registration = registration or {}
        self.name = registration.get("name")
        self.version = registration.get("version")
        self.id = registration.get("id")
        self.tags = registration.get("tags") or {}
        self.description = registration.get("description")

    @property
    def _definition_hash(self) -> str:
        """sha256 over the paths, the read options and the steps: what a registration records."""
        definition = [[str(f) for f in self._files], self._options, self._steps]
        return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()

    def _with(self, step: list) -> TabularDataset:
        return TabularDataset(self._files, self._options, [*self._steps, step])

    def take(self, count):
        return self._with(["take", int(count)])

    def skip(self, count):
        return self._with(["skip", int(count)])

    def keep_columns(self, columns, validate=False):
        return self._with(["keep", [columns] if isinstance(columns, str) else list(columns)])

    def drop_columns(self, columns):
        return self._with(["drop", [columns] if isinstance(columns, str) else list(columns)])

    def random_split(self, percentage, seed=None):
        """Two datasets holding about ``percentage`` and the rest of the rows."""
        if not 0 < percentage < 1:
            raise UserErrorException(f"percentage must be between 0 and 1 exclusive, got {percentage}")
        seed = 0 if seed is None else int(seed)
        return self._with(["split", percentage, seed, True]), self._with(["split", percentage, seed, False])

    def to_pandas_dataframe(self, on_error="null", out_of_range_datetime="null"):
        import numpy as np
        import pandas as pd

        options = self._options
        frames = []
        gone = [str(f) for f in self._files if not f.is_file()]
        if gone:
            raise UserErrorException(
                f"Cannot load any data from the specified path {', '.join(gone)}: the file is no longer "
                "there. Make sure the path is accessible and contains data."
            )
        for file in self._files:
            frame = pd.read_csv(
                file,
                sep=options["separator"],
                header=0 if options["header"] else None,
                encoding=options["encoding"],
                keep_default_na=not options["empty_as_string"],
            )
            if options["include_path"]:
                frame["Path"] = str(file)
            frames.append(frame)
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        for column, kind in (options.get("column_types") or {}).items():
            frame[column] = frame[column].astype(kind)
        for step in self._steps:
            match step:
                case ["take", count]:
                    frame = frame.head(count)
                case ["skip", count]:
                    frame = frame.iloc[count:]
                case ["keep", columns]:
                    frame = frame[columns]
                case ["drop", columns]:
                    frame = frame.drop(columns=columns)
                case ["split", percentage, seed, first]:
                    chosen = np.random.default_rng(seed).random(len(frame)) < percentage
                    frame = frame[chosen if first else ~chosen]
        return frame.reset_index(drop=True)

    def register(self, workspace, name, description=None, tags=None, create_new_version=False):
        """Register as ``name``; a changed definition needs ``create_new_version=True``."""
        _names.dataset_name(name)
        versions = workspace._store.list_datasets(name)
        if versions and versions[0].get("definition_hash") == self._definition_hash:
            return Dataset._from_record(versions[0], workspace)
        if versions and not create_new_version:
            raise UserErrorException(
                f"There is already a dataset registered under name '{name}'. Specify `create_new_version=True` to "
                "register the dataset as a new version. Use `update`, `add_tags`, or `remove_tags` to change only the "
                "description or tags."
            )

        record = workspace._store.create_dataset_version(
            name,
            {
                "id": str(uuid.uuid4()),
                "description": description,
                "tags": tags or {},
                "definition_hash": self._definition_hash,
                "options": self._options,
                "steps": self._steps,
                "references": [str(f) for f in self._files],
            },
            lambda version: None,  # nothing to copy: the version refers to its paths
        )
        return Dataset._from_record(record, workspace)

    def __repr__(self):
        return (
            f"TabularDataset(name={self.name}, version={self.version}, files={[str(f) for f in self._files]})"
        )


class TabularDatasetFactory:
    """``Dataset.Tabular``: builds ``TabularDataset`` objects."""

    @staticmethod
    def from_delimited_files(
        path,
        validate=True,
        include_path=False,
        infer_column_types=True,
        set_column_types=None,
        separator=",",
        header=True,
        partition_format=None,
        support_multi_line=False,
        empty_as_string=False,
        encoding="utf8",
    ):
        files = _resolve(path)
        options = {
            "separator": separator,
            "header": bool(header),
            "include_path": include_path,
            "empty_as_string": empty_as_string,
            "encoding": encoding,
            "column_types": {
                k: (v if isinstance(v, str) else v.__name__) for k, v in (set_column_types or {}).items()
            },
        }
        dataset = TabularDataset(files, options)
        if validate:
            dataset.take(1).to_pandas_dataframe()
        return dataset


class Dataset:
    """Entry point to datasets: ``Dataset.Tabular`` builds them, ``get_by_name`` fetches registered ones."""

    Tabular = TabularDatasetFactory

    @staticmethod
    def _from_record(record: dict, workspace) -> TabularDataset:
        if "references" in record:
            files = [Path(f) for f in record["references"]]
        else:  # a version registered when the emulator still copied the files in
            folder = workspace._store.dataset_path(record["name"], record["version"])
            files = [folder / f for f in record["files"]]
        return TabularDataset(files, record["options"], record["steps"], record)

    @staticmethod
    def get_by_name(workspace, name, version="latest"):
        versions = workspace._store.list_datasets(name)
        if version != "latest":
            versions = [v for v in versions if v["version"] == int(version)]
        if not versions:
            described = name if version == "latest" else f"{name} version {version}"
            raise UserErrorException(
                f"Cannot find dataset registered with name '{described}' in the workspace."
            )
        return Dataset._from_record(versions[0], workspace)

    @staticmethod
    def get_by_id(workspace, id):
        for record in workspace._store.list_datasets():
            if record["id"] == id:
                return Dataset._from_record(record, workspace)
        raise UserErrorException(f"Cannot find dataset with id '{id}' in the workspace.")

    @staticmethod
    def get_all(workspace):
        """{name: latest version} of the registered datasets."""
        latest = {}
        for record in workspace._store.list_datasets():
            latest.setdefault(record["name"], Dataset._from_record(record, workspace))
        return latest
