"""The store suite against the SQLite backend, plus its file-level guarantees."""

from __future__ import annotations

import sqlite3

import pytest
from store_suite import StoreSuite

from emulator.store import SqliteStore


class TestSqliteStore(StoreSuite):
    @pytest.fixture
    def store(self, tmp_path):
        self.other_process_store_code = (
            f"from emulator.store import SqliteStore; store = SqliteStore({str(tmp_path)!r})"
        )
        return SqliteStore(tmp_path)

    def test_database_uses_write_ahead_logging(self, store):
        with sqlite3.connect(store.path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    def test_reopening_the_folder_sees_committed_data(self, store, tmp_path):
        store.create_experiment("exp")
        store.close()
        assert SqliteStore(tmp_path).get_experiment("exp") is not None
