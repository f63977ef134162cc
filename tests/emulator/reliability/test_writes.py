"""Probe: no write is torn, and one big write does not stall the workspace or leak after a kill -9."""

from __future__ import annotations

import io
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from emulator.core import Model
from emulator.exceptions import UserErrorException
from emulator.store import SqliteStore

pytestmark = pytest.mark.reliability

WRITERS = 8
SIZE = 4 * 1024 * 1024


def test_concurrent_uploads_of_one_name_first_writer_wins_and_file_is_whole(experiment):
    run = experiment.start_logging()
    barrier = threading.Barrier(WRITERS)
    outcomes: dict[int, str] = {}

    def write(i: int) -> None:
        payload = io.BytesIO(bytes([i]) * SIZE)
        barrier.wait()
        try:
            run.upload_file("outputs/model.bin", payload)
            outcomes[i] = "won"
        except UserErrorException as exc:
            assert "already exists" in str(exc)
            outcomes[i] = "refused"

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [i for i, outcome in outcomes.items() if outcome == "won"]
    assert len(outcomes) == WRITERS and len(winners) == 1
    data = run._store.artifact_path(run.id, "outputs/model.bin").read_bytes()
    # one writer's bytes, all of them: no mix of writers, no partial file
    assert data == bytes([winners[0]]) * SIZE
    assert [a["size"] for a in run._store.list_artifacts(run.id)] == [SIZE]
    # no temporary files are left beside the artifact
    assert sorted(p.name for p in run._store.artifact_path(run.id, "outputs").iterdir()) == ["model.bin"]
    run.complete()


def test_big_model_copy_happens_outside_the_write_lock(workspace, tmp_path, monkeypatch):
    big = tmp_path / "big.onnx"
    big.write_bytes(b"\x01" * (8 * 1024 * 1024))
    lock_free_during_copy: list[bool] = []
    copy = shutil.copy2

    def copy_then_probe_lock(source, target, **kwargs):
        result = copy(source, target, **kwargs)
        # a second connection must be able to take the write lock while the model is copied
        probe = sqlite3.connect(workspace._store.path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            lock_free_during_copy.append(True)
        except sqlite3.OperationalError:
            lock_free_during_copy.append(False)
        finally:
            probe.close()
        return result

    monkeypatch.setattr(shutil, "copy2", copy_then_probe_lock)
    model = Model.register(workspace, str(big), "big")
    assert lock_free_during_copy == [True]
    assert Path(model.download(str(tmp_path / "back"))).read_bytes() == big.read_bytes()


@pytest.fixture
def staging_holder(workspace):
    """Start a process that fills a staging folder and waits; yields (process, folder)."""
    code = """
        import sys, time
        from emulator.store import SqliteStore
        with SqliteStore(sys.argv[1]).staging() as folder:
            (folder / "half-copied.bin").write_bytes(b"x" * 1024 * 1024)
            print(folder, flush=True)
            time.sleep(120)
    """
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), str(workspace._store.root)],
        stdout=subprocess.PIPE,
        text=True,
    )
    folder = Path(process.stdout.readline().strip())
    yield process, folder
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def test_staging_folder_of_a_killed_process_is_reclaimed_on_open(workspace, staging_holder):
    process, folder = staging_holder
    SqliteStore(workspace._store.root)
    assert folder.is_dir(), "a live owner's staging folder must be left alone"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert folder.is_dir()
    SqliteStore(workspace._store.root)
    assert not folder.exists()


def test_model_registration_leaves_no_staging_behind(workspace, tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"w" * 1024)
    Model.register(workspace, str(folder), "m")
    assert list((workspace._store.root / ".staging").iterdir()) == []
