"""Artifact upload and download of ``Run``: files live in the workspace's file store, indexed in the store."""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from ..exceptions import UserErrorException
from ._names import artifact_name


def _conflict(run_id: str, name: str) -> UserErrorException:
    return UserErrorException(
        f"UserError: Resource Conflict: ArtifactId ExperimentRun/dcid.{run_id}/{name} already exists."
    )


class RunArtifactsMixin:
    """``upload_*``, ``download_*`` and ``get_file_names`` of :class:`emulator.core.Run`."""

    def _write_artifact(self, name: str, source, overwrite: bool) -> int:
        """Write to a private temporary file, then publish it whole: readers never see a torn file.

        Write-once names are published with a hard link, which fails if the name exists, so of
        concurrent writers exactly the first wins; ``overwrite`` (the end-of-run sweep) renames over.
        The upload is recorded first (``store.begin_upload``), so a kill at any step is settled on reopen.
        """
        name = artifact_name(name)
        if not overwrite and name in self.get_file_names():
            raise _conflict(self.id, name)
        target = self._store.artifact_path(self.id, name)
        if isinstance(source, str | os.PathLike) and not os.path.isfile(source):
            raise UserErrorException(f"upload_file: {source} is not a file")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise UserErrorException(
                f"Artifact name {name!r} needs a folder where the run has a file"
            ) from None
        if target.is_dir():
            raise UserErrorException(f"Artifact name {name!r} is a folder of the run's files")
        upload = self._store.begin_upload(self.id, name)
        try:
            if isinstance(source, str | os.PathLike):
                shutil.copyfile(source, upload.partial)
            else:
                with open(upload.partial, "wb") as out:
                    shutil.copyfileobj(source, out)
            size = upload.partial.stat().st_size
            try:
                upload.publish(target, overwrite)
            except FileExistsError:
                raise _conflict(self.id, name) from None
            self._store.add_artifacts(self.id, [(name, size)])
        finally:
            upload.done()
        return size

    def upload_file(self, name, path_or_stream, datastore_name=None):
        """Upload a file (a path or a binary stream) as artifact ``name``; names are write-once."""
        self._write_artifact(name, path_or_stream, overwrite=False)

    def upload_files(self, names, paths, return_artifacts=False, timeout_seconds=None, datastore_name=None):
        names, paths = list(names), list(paths)
        if len(names) != len(paths):
            raise UserErrorException(f"upload_files: {len(names)} names but {len(paths)} paths")
        for name, path in zip(names, paths, strict=True):
            self.upload_file(name, path)

    def upload_folder(self, name, path, datastore_name=None):
        """Upload every file under the folder ``path`` as ``name/<relative path>``."""
        if not os.path.isdir(path):
            raise UserErrorException(f"upload_folder: {path} is not a folder")
        names, paths = self._tree(name, Path(path))
        self.upload_files(names, paths)

    @staticmethod
    def _tree(prefix: str, folder: Path) -> tuple[list[str], list[str]]:
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        return [f"{prefix}/{p.relative_to(folder).as_posix()}" for p in files], [str(p) for p in files]

    def _upload_tree(self, prefix: str, folder: Path) -> None:
        """Upload a folder, replacing same-named artifacts (the end-of-run outputs/logs sweep)."""
        if folder.is_dir():
            for name, path in zip(*self._tree(prefix, folder), strict=True):
                self._write_artifact(name, path, overwrite=True)

    def get_file_names(self):
        return [a["name"] for a in self._store.list_artifacts(self.id)]

    def _artifact_source(self, name: str) -> Path:
        name = artifact_name(name)
        if name not in self.get_file_names():
            raise UserErrorException(f"File with path {name} was not found in run {self.id}")
        return self._store.artifact_path(self.id, name)

    def download_file(self, name, output_file_path=None, _validate_checksum=False):
        """Copy artifact ``name`` to ``output_file_path`` (a file, or a folder to put it in)."""
        source = self._artifact_source(name)
        target = Path(output_file_path) if output_file_path else Path(PurePosixPath(name).name)
        if target.is_dir():
            target = target / PurePosixPath(name).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def download_files(
        self,
        prefix=None,
        output_directory=None,
        output_paths=None,
        batch_size=100,
        append_prefix=True,
        timeout_seconds=None,
    ):
        """Download the artifacts under ``prefix``; ``append_prefix=False`` drops it from local paths."""
        names = [n for n in self.get_file_names() if prefix is None or n.startswith(prefix)]
        if output_paths is not None and len(output_paths) != len(names):
            raise UserErrorException(
                f"download_files: {len(names)} files match but {len(output_paths)} output_paths"
            )
        root = Path(output_directory or ".")
        for i, name in enumerate(names):
            relative = name if append_prefix or not prefix else name[len(prefix) :].lstrip("/")
            self.download_file(name, output_paths[i] if output_paths else root / relative)
