"""Staging folders: big copies happen here, outside any write transaction, then move in by rename.

A folder is named for the process that owns it (pid and start time), so when that process dies
mid-copy (kill -9) the next store to open the workspace sees the owner gone and removes it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

_FOLDER = ".staging"


def _owner() -> str:
    return f"{os.getpid()}-{psutil.Process().create_time():.3f}"


def _owner_alive(name: str) -> bool:
    try:
        pid, started, _ = name.split("-", 2)
        return abs(psutil.Process(int(pid)).create_time() - float(started)) < 0.01
    except (ValueError, psutil.Error):
        return False


@contextmanager
def staging_folder(root: Path) -> Iterator[Path]:
    """A fresh empty folder under ``root/.staging``, removed on exit (whatever was not moved out)."""
    folder = root / _FOLDER / f"{_owner()}-{uuid.uuid4().hex[:12]}"
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def reclaim(root: Path) -> list[Path]:
    """Remove the staging folders whose owning process is gone; returns what was removed."""
    staging = root / _FOLDER
    gone = (
        [folder for folder in staging.glob("*") if not _owner_alive(folder.name)] if staging.is_dir() else []
    )
    for folder in gone:
        shutil.rmtree(folder, ignore_errors=True)
    return gone
