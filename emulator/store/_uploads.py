"""Artifact uploads that a kill cannot leave half done: each is recorded before it starts.

An upload writes ``.uploads/<owner>-<id>.target`` (the run and artifact name), copies the bytes to
``<owner>-<id>.partial`` beside it, publishes the name as a hard link to that same file, indexes it,
and only then removes its two files. The index row is the writer's acknowledgement. So when a store
opens and finds the record of a writer that is gone (kill -9), it knows which step it died at: a
published file that was indexed stays (its size re-read), one that was not is removed and its name
freed; the partial and the record go either way.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

from ..exceptions import UserErrorException
from ._staging import _owner, _owner_alive

_FOLDER = ".uploads"
_LEGACY = re.compile(r"\..+\.[0-9a-f]{32}\.partial")


class Upload:
    """One upload in flight: ``partial`` is where the bytes go; call :meth:`done` once indexed."""

    def __init__(self, root: Path, run_id: str, name: str):
        folder = root / _FOLDER
        folder.mkdir(exist_ok=True)
        stem = f"{_owner()}-{uuid.uuid4().hex[:12]}"  # the owner's start time has a dot: no with_suffix
        self.record, self.partial = folder / f"{stem}.target", folder / f"{stem}.partial"
        self.record.write_text(f"{run_id}\n{name}", encoding="utf-8")

    def publish(self, target: Path, overwrite: bool) -> None:
        """Make ``target`` the partial's file (a second link, so recovery can tell it is this upload's).

        Raises:
            FileExistsError: ``target`` exists and ``overwrite`` is False.
        """
        if overwrite:
            side = self.partial.with_suffix(".publish")
            os.link(self.partial, side)
            os.replace(side, target)
        else:
            os.link(self.partial, target)

    def done(self) -> None:
        """Forget the upload: the partial first, the record last (a record without partial is harmless)."""
        self.partial.unlink(missing_ok=True)
        self.partial.with_suffix(".publish").unlink(missing_ok=True)
        self.record.unlink(missing_ok=True)


def recover(
    root: Path,
    artifact_path: Callable[[str, str], Path],
    indexed: Callable[[str, str], bool],
    index: Callable[[str, str, int], None],
) -> list[str]:
    """Finish or undo the uploads whose writer is gone; returns ``run_id/name`` of each one handled."""
    folder = root / _FOLDER
    if not folder.is_dir():
        return []
    handled = []
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            continue
        owner = entry.name.rsplit("-", 1)[0]
        if _owner_alive(owner + "-x"):
            continue
        if entry.suffix == ".target":
            handled.append(_settle(entry, artifact_path, indexed, index))
        elif not entry.with_suffix(".target").exists():
            entry.unlink(missing_ok=True)  # a partial whose record went already, or its .publish link
    return handled


def sweep_legacy_partials(root: Path) -> list[Path]:
    """Once per workspace: remove the partial files that writers before ``.uploads`` left beside
    their artifacts when killed (``.<name>.<32 hex>.partial``); nothing writes that form any more."""
    marker = root / _FOLDER / ".legacy-partials-swept"
    if marker.exists() or not (root / "artifacts").is_dir():
        return []
    gone = [p for p in (root / "artifacts").rglob(".*.partial") if _LEGACY.fullmatch(p.name)]
    for path in gone:
        path.unlink(missing_ok=True)
    marker.parent.mkdir(exist_ok=True)
    marker.touch()
    return gone


def _settle(record: Path, artifact_path, indexed, index) -> str:
    # Two stores may open at once and settle the same record: every step tolerates the other's.
    partial = record.with_suffix(".partial")
    try:
        run_id, name = record.read_text(encoding="utf-8").split("\n", 1)
        target = artifact_path(run_id, name)
        ours = os.path.samefile(partial, target)
    except (ValueError, OSError, UserErrorException):
        # a record cut short by the kill, a partial or target already gone: nothing was published
        run_id, name, ours = "?", record.name, False
    if ours and indexed(run_id, name):
        index(run_id, name, target.stat().st_size)
    elif ours:
        target.unlink(missing_ok=True)
    for leftover in (partial, partial.with_suffix(".publish"), record):
        leftover.unlink(missing_ok=True)
    return f"{run_id}/{name}"
