"""A writer killed (kill -9, a real child process) at each step of an artifact upload: on reopen the name
is usable again, an acknowledged upload stays, and no partial file survives.

Each step is reached deterministically, with no seam in the emulator: the child's source stream blocks
(mid-copy), the parent holds the database's write lock (published, not yet indexed), or the child's
own cleanup blocks (indexed, not yet cleaned up). The child says where it is on stdout, then waits.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from emulator.core import Experiment, Run
from emulator.store import SqliteStore

REPO = Path(__file__).resolve().parents[3]

CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from emulator.core import Run, Workspace

    step, run_id = sys.argv[1], sys.argv[2]
    run = Run.get(Workspace("s", "rg", "recovery-ws"), run_id)

    def signal_and_wait():
        print("at-step", flush=True)
        time.sleep(600)

    class Blocking:  # a stream that gives some bytes, then stalls mid-copy
        sent = False
        def read(self, n=-1):
            if not self.sent:
                self.sent = True
                return b"x" * 1000
            signal_and_wait()

    if step == "indexed":  # stall the upload's own cleanup, once the name is indexed
        real_unlink = Path.unlink
        def unlink(self, missing_ok=False):
            if self.suffix == ".partial":
                signal_and_wait()
            return real_unlink(self, missing_ok=missing_ok)
        Path.unlink = unlink
    if step == "copying":
        run.upload_file("outputs/model.bin", Blocking())
    else:
        print("ready", flush=True)
        sys.stdin.readline()  # the parent takes the database's write lock first, for "published"
        run.upload_file("outputs/model.bin", sys.argv[3])
    """
)


def _uploads(home: Path) -> list[Path]:
    return sorted(p for p in (home / "recovery-ws" / ".uploads").glob("*") if not p.name.startswith("."))


@pytest.mark.reliability
@pytest.mark.parametrize("step", ["copying", "published", "indexed"])
def test_a_writer_killed_at_each_step_leaves_the_name_usable(emulator_home, tmp_path, step):
    from emulator.core import Workspace

    workspace = Workspace("s", "rg", "recovery-ws")
    run = Experiment(workspace, "recovery").start_logging()
    source = tmp_path / "model.bin"
    source.write_bytes(b"m" * 4096)
    lock = None
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, step, run.id, str(source)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        target = workspace._store.artifact_path(run.id, "outputs/model.bin")
        if step != "copying":
            assert child.stdout.readline().strip() == "ready"
            if step == "published":
                # hold the write lock: the child publishes the file, then waits to index it
                lock = sqlite3.connect(emulator_home / "recovery-ws" / "emulator.db", isolation_level=None)
                lock.execute("BEGIN IMMEDIATE")
            child.stdin.write("go\n")
            child.stdin.flush()
        if step == "published":
            _wait_for(lambda: target.exists())
        else:
            while child.stdout.readline().strip() != "at-step":
                assert child.poll() is None, "the child ended before reaching its step"
        assert any(p.suffix == ".partial" for p in _uploads(emulator_home))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        child.stdin.close()
        if lock is not None:
            lock.execute("ROLLBACK")
            lock.close()

    SqliteStore(emulator_home / "recovery-ws")  # opening the workspace (as any new process does) settles it
    reopened = Run.get(workspace, run.id)
    assert _uploads(emulator_home) == []
    if step == "indexed":  # acknowledged: kept, whole
        assert reopened.get_file_names() == ["outputs/model.bin"]
        assert target.read_bytes() == source.read_bytes()
    else:  # never acknowledged: removed, and the name is free
        assert reopened.get_file_names() == []
        assert not target.exists()
        reopened.upload_file("outputs/model.bin", str(source))
        assert target.read_bytes() == source.read_bytes()
    run.complete()


def test_a_live_writers_upload_is_left_alone_by_a_reopen(workspace, experiment, tmp_path):
    run = experiment.start_logging()
    upload = workspace._store.begin_upload(run.id, "outputs/in-flight.bin")
    upload.partial.write_bytes(b"still writing")
    SqliteStore(workspace._store.root)  # a reopen while this (live) process is still writing
    assert upload.partial.read_bytes() == b"still writing" and upload.record.exists()
    upload.done()
    run.complete()


def _wait_for(condition, timeout: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the child"
        time.sleep(0.05)


def test_partials_left_by_writers_before_upload_records_are_swept_once(workspace, experiment, tmp_path):
    run = experiment.start_logging()
    folder = workspace._store.artifact_path(run.id, "outputs")
    folder.mkdir(parents=True)
    legacy = folder / f".model.bin.{'ab12' * 8}.partial"
    legacy.write_bytes(b"torn")
    kept = folder / ".notes.partial"  # not the old writer's form: someone else's file, left alone
    kept.write_bytes(b"mine")
    SqliteStore(workspace._store.root)
    assert not legacy.exists() and kept.exists()
    run.complete()


def test_a_record_cut_short_by_a_kill_is_removed_on_reopen(workspace, experiment):
    run = experiment.start_logging()
    dead_owner = "1-1.000"  # pid 1 did not start at that time: its writer is gone
    folder = workspace._store.root / ".uploads"
    folder.mkdir()
    (folder / f"{dead_owner}-abc.target").write_text(run.id)  # killed before the name was written
    (folder / f"{dead_owner}-abc.partial").write_bytes(b"torn")
    SqliteStore(workspace._store.root)
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == []
    run.complete()
