"""``Datastore``: a named folder of the workspace that files are uploaded to and datasets read from."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..exceptions import UserErrorException
from ..store import contained
from . import _names

DEFAULT = "workspaceblobstore"


class Datastore:
    """The datastore ``name`` (default ``workspaceblobstore``) of ``workspace``, a folder in it."""

    def __init__(self, workspace, name=None):
        self.workspace = workspace
        self.name = _names.datastore_name(name or DEFAULT)
        self.datastore_type = "AzureBlob"
        self._root = workspace._store.folder("datastores", self.name)
        self._root.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def get(workspace, datastore_name):
        return Datastore(workspace, datastore_name)

    @staticmethod
    def get_default(workspace):
        return Datastore(workspace)

    def _target(self, target_path) -> Path:
        return contained(self._root, target_path or "", "target_path").resolve()

    def upload(self, src_dir, target_path=None, overwrite=False, show_progress=True):
        """Copy the folder ``src_dir`` to ``target_path``; existing files are kept unless ``overwrite``."""
        source = Path(src_dir)
        if not source.is_dir():
            raise UserErrorException(f"upload: {src_dir} is not a folder")
        files = [p for p in source.rglob("*") if p.is_file()]
        self.upload_files(
            [str(p) for p in files], relative_root=str(source), target_path=target_path, overwrite=overwrite
        )
        return self.path(target_path or "")

    def upload_files(self, files, relative_root=None, target_path=None, overwrite=False, show_progress=True):
        destination = self._target(target_path)
        for file in map(str, files):
            # as the SDK: the blob's name is the file's path relative to relative_root, normalised
            relative = os.path.relpath(file, relative_root) if relative_root else os.path.basename(file)
            if relative == ".." or relative.startswith(".." + os.sep):
                raise UserErrorException(
                    f"relative_root: '{relative_root}' is not part of the file_path: '{file}'."
                )
            if not os.path.isfile(file):
                raise UserErrorException(f"'{file}' does not point to a file.")  # the SDK's words
            target = contained(destination, relative, "file path under relative_root")
            if target.exists() and not overwrite:
                continue
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, target)
            except (FileExistsError, NotADirectoryError, IsADirectoryError):
                # blob names have no folders; a local folder cannot also be a file
                raise UserErrorException(
                    f"upload_files: {relative!r} under target_path {target_path!r} would make a file and a "
                    "folder share a path"
                ) from None
        return self.path(target_path or "")

    def path(self, path=None, data_reference_name=None):
        """A local path inside the datastore (the SDK returns a DataReference)."""
        return str(self._target(path))

    def __repr__(self):
        return f"Datastore(name={self.name}, workspace={self.workspace.name})"
