"""SQLite implementation of the store: one database file in WAL mode per workspace folder.

Many processes (trial scripts, the controller, the CLI) share one workspace. Writes take the
database lock up front (``BEGIN IMMEDIATE``) so a reader never has to upgrade to a writer, which
is the case SQLite cannot resolve with a busy timeout. ``synchronous=NORMAL`` keeps every committed
transaction across a crash of the writing process (kill -9); only a power loss can drop the
newest commits.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..exceptions import UserErrorException
from ._staging import reclaim
from .base import AbstractStore

_BUSY_TIMEOUT_MS = 120_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS experiments (
    name TEXT PRIMARY KEY, id TEXT NOT NULL, created REAL NOT NULL,
    archived REAL, tags TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, experiment TEXT NOT NULL, parent_id TEXT, number INTEGER NOT NULL,
    type TEXT NOT NULL, display_name TEXT, status TEXT NOT NULL, created REAL NOT NULL,
    start_time REAL, end_time REAL, pid INTEGER, pid_started REAL,
    tags TEXT NOT NULL DEFAULT '{}', properties TEXT NOT NULL DEFAULT '{}',
    details TEXT NOT NULL DEFAULT '{}', error TEXT);
CREATE INDEX IF NOT EXISTS runs_by_experiment ON runs (experiment, number);
CREATE INDEX IF NOT EXISTS runs_by_parent ON runs (parent_id);
CREATE TABLE IF NOT EXISTS metrics (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, name TEXT NOT NULL,
    value TEXT NOT NULL, step INTEGER, kind TEXT NOT NULL, time REAL NOT NULL);
CREATE INDEX IF NOT EXISTS metrics_by_run ON metrics (run_id, name);
CREATE TABLE IF NOT EXISTS artifacts (
    run_id TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (run_id, name));
CREATE TABLE IF NOT EXISTS models (
    name TEXT NOT NULL, version INTEGER NOT NULL, created REAL NOT NULL, fields TEXT NOT NULL,
    PRIMARY KEY (name, version));
CREATE TABLE IF NOT EXISTS datasets (
    name TEXT NOT NULL, version INTEGER NOT NULL, created REAL NOT NULL, fields TEXT NOT NULL,
    PRIMARY KEY (name, version));
CREATE TABLE IF NOT EXISTS assets (
    kind TEXT NOT NULL, name TEXT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (kind, name));
CREATE TABLE IF NOT EXISTS slots (
    pool TEXT NOT NULL, holder TEXT NOT NULL, acquired REAL NOT NULL, PRIMARY KEY (pool, holder));
"""

_RUN_JSON = ("tags", "properties", "details", "error")
_RUN_COLUMNS = (
    "run_id experiment parent_id number type display_name status created start_time end_time "
    "pid pid_started tags properties details error"
).split()


def _default(value: Any) -> Any:
    # numpy scalars and arrays arrive from training scripts; store them as plain JSON.
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, set | tuple):
        return list(value)
    raise TypeError(f"value of type {type(value).__name__} cannot be stored: {value!r}")


def _dumps(value: Any) -> str:
    return json.dumps(value, default=_default)


class SqliteStore(AbstractStore):
    """The store of the workspace folder ``root`` (created if absent), in ``root/emulator.db``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.path = self.root / "emulator.db"
        self._local = threading.local()
        self._init_schema()
        reclaim(self.root)
        self.recover_uploads()

    # A store travels (to a sweep controller, a Dask worker, a Prefect result) as its folder alone:
    # connections belong to the thread that opened them.
    def __getstate__(self) -> dict:
        return {"root": self.root}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["root"])

    # -- connections and transactions
    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
            self._local.depth = 0
        return db

    def _init_schema(self) -> None:
        db = self._connection()
        with self._write():
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested uses join the outer one."""
        db = self._connection()
        if self._local.depth:
            self._local.depth += 1
            try:
                yield db
            finally:
                self._local.depth -= 1
            return
        db.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield db
        except UnicodeEncodeError as error:
            db.execute("ROLLBACK")
            # a lone surrogate (from JSON's "\ud800", say) cannot be stored as text: the caller's input
            raise UserErrorException(f"{error.object[:80]!r} is not valid text: {error.reason}") from None
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")
        finally:
            self._local.depth = 0

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return self._connection().execute(sql, tuple(params)).fetchall()

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- experiments
    @staticmethod
    def _experiment(row: sqlite3.Row) -> dict:
        record = dict(row)
        record["tags"] = json.loads(record["tags"])
        return record

    def create_experiment(self, name: str) -> dict:
        with self._write() as db:
            db.execute(
                "INSERT OR IGNORE INTO experiments (name, id, created) VALUES (?, lower(hex(randomblob(16))), ?)",
                (name, time.time()),
            )
        return self.get_experiment(name)

    def get_experiment(self, name: str) -> dict | None:
        rows = self._query("SELECT * FROM experiments WHERE name = ?", (name,))
        return self._experiment(rows[0]) if rows else None

    def list_experiments(self) -> list[dict]:
        return [self._experiment(r) for r in self._query("SELECT * FROM experiments ORDER BY created")]

    def update_experiment(self, name: str, fields: Mapping[str, Any]) -> None:
        values = {k: _dumps(v) if k == "tags" else v for k, v in fields.items()}
        with self._write() as db:
            if "name" in values and values["name"] != name:
                db.execute("UPDATE runs SET experiment = ? WHERE experiment = ?", (values["name"], name))
            assignments = ", ".join(f"{column} = ?" for column in values)
            db.execute(f"UPDATE experiments SET {assignments} WHERE name = ?", (*values.values(), name))

    def delete_experiment(self, name: str) -> None:
        with self._write() as db:
            if db.execute("SELECT 1 FROM runs WHERE experiment = ? LIMIT 1", (name,)).fetchone():
                raise ValueError(f"experiment {name!r} still has runs")
            db.execute("DELETE FROM experiments WHERE name = ?", (name,))

    # -- runs
    @staticmethod
    def _run(row: sqlite3.Row) -> dict:
        record = dict(row)
        for key in _RUN_JSON:
            if record[key] is not None:
                record[key] = json.loads(record[key])
        return record

    def create_run(self, run: Mapping[str, Any]) -> dict:
        record = {k: run.get(k) for k in _RUN_COLUMNS if k != "number"}
        for key in ("tags", "properties", "details"):
            record[key] = _dumps(record[key] or {})
        record["error"] = None if record["error"] is None else _dumps(record["error"])
        record["created"] = record["created"] or time.time()
        with self._write() as db:
            (last,) = db.execute(
                "SELECT COALESCE(MAX(number), 0) FROM runs WHERE experiment = ?", (record["experiment"],)
            ).fetchone()
            record["number"] = last + 1
            columns = ", ".join(record)
            marks = ", ".join("?" for _ in record)
            try:
                db.execute(f"INSERT INTO runs ({columns}) VALUES ({marks})", tuple(record.values()))
            except sqlite3.IntegrityError:
                raise UserErrorException(f"Run {record['run_id']} already exists in the workspace") from None
        return self.get_run(record["run_id"])

    def get_run(self, run_id: str) -> dict | None:
        rows = self._query("SELECT * FROM runs WHERE run_id = ?", (run_id,))
        return self._run(rows[0]) if rows else None

    def search_runs(self, experiment=None, parent_id=..., statuses=None) -> list[dict]:
        clauses, params = [], []
        if experiment is not None:
            clauses.append("experiment = ?")
            params.append(experiment)
        if parent_id is None:
            clauses.append("parent_id IS NULL")
        elif parent_id is not ...:
            clauses.append("parent_id = ?")
            params.append(parent_id)
        if statuses is not None:
            statuses = list(statuses)
            clauses.append(f"status IN ({', '.join('?' for _ in statuses)})")
            params.extend(statuses)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return [
            self._run(r) for r in self._query(f"SELECT * FROM runs {where} ORDER BY created, number", params)
        ]

    def update_run(self, run_id: str, fields: Mapping[str, Any], unless_status: Iterable[str] = ()) -> bool:
        values = {k: (_dumps(v) if k in _RUN_JSON and v is not None else v) for k, v in fields.items()}
        unless = list(unless_status)
        assignments = ", ".join(f"{column} = ?" for column in values)
        guard = f" AND status NOT IN ({', '.join('?' for _ in unless)})" if unless else ""
        with self._write() as db:
            cursor = db.execute(
                f"UPDATE runs SET {assignments} WHERE run_id = ?{guard}", (*values.values(), run_id, *unless)
            )
        return cursor.rowcount > 0

    def log_batch(self, run_id, metrics=(), tags=None, properties=None) -> None:
        rows = [(run_id, m.name, _dumps(m.value), m.step, m.kind, m.time) for m in metrics]
        with self._write() as db:
            if rows:
                db.executemany(
                    "INSERT INTO metrics (run_id, name, value, step, kind, time) VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )
            for column, update in (("tags", tags), ("properties", properties)):
                if update:
                    (current,) = db.execute(
                        f"SELECT {column} FROM runs WHERE run_id = ?", (run_id,)
                    ).fetchone()
                    merged = {**json.loads(current), **update}
                    db.execute(f"UPDATE runs SET {column} = ? WHERE run_id = ?", (_dumps(merged), run_id))

    def get_metrics(self, run_ids: Iterable[str], name: str | None = None) -> list[dict]:
        ids = list(run_ids)
        if not ids:
            return []
        sql = f"SELECT * FROM metrics WHERE run_id IN ({', '.join('?' for _ in ids)})"
        if name is not None:
            sql += " AND name = ?"
            ids.append(name)
        rows = self._query(sql + " ORDER BY seq", ids)
        return [{**dict(r), "value": json.loads(r["value"])} for r in rows]

    def metric_names(self, run_ids: Iterable[str], kind: str | None = None) -> list[str]:
        ids = list(run_ids)
        if not ids:
            return []
        # Run ids travel as one JSON array parameter: any number of runs, no SQLite variable limit.
        sql = "SELECT DISTINCT name FROM metrics WHERE run_id IN (SELECT value FROM json_each(?))"
        params: list[Any] = [json.dumps(ids)]
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        return [r["name"] for r in self._query(sql + " ORDER BY name", params)]

    def add_artifacts(self, run_id: str, entries: Iterable[tuple[str, int]]) -> None:
        with self._write() as db:
            db.executemany(
                "INSERT OR REPLACE INTO artifacts (run_id, name, size) VALUES (?, ?, ?)",
                [(run_id, name, size) for name, size in entries],
            )

    def list_artifacts(self, run_id: str) -> list[dict]:
        return [
            dict(r) for r in self._query("SELECT * FROM artifacts WHERE run_id = ? ORDER BY name", (run_id,))
        ]

    # -- versioned assets: models and datasets
    def _create_version(self, table: str, name: str, fields: Mapping[str, Any], stage) -> dict:
        with self._write() as db:
            (last,) = db.execute(
                f"SELECT COALESCE(MAX(version), 0) FROM {table} WHERE name = ?", (name,)
            ).fetchone()
            version = last + 1
            stage(version)
            created = time.time()
            db.execute(
                f"INSERT INTO {table} (name, version, created, fields) VALUES (?, ?, ?, ?)",
                (name, version, created, _dumps(dict(fields))),
            )
        return {**fields, "name": name, "version": version, "created": created}

    def _list_versions(self, table: str, name: str | None) -> list[dict]:
        sql, params = f"SELECT * FROM {table}", []
        if name is not None:
            sql, params = sql + " WHERE name = ?", [name]
        rows = self._query(sql + " ORDER BY created DESC, version DESC", params)
        return [
            {**json.loads(r["fields"]), "name": r["name"], "version": r["version"], "created": r["created"]}
            for r in rows
        ]

    def create_model_version(
        self, name: str, fields: Mapping[str, Any], stage: Callable[[int], None]
    ) -> dict:
        return self._create_version("models", name, fields, stage)

    def list_models(self, name: str | None = None) -> list[dict]:
        return self._list_versions("models", name)

    def update_model(self, name: str, version: int, fields: Mapping[str, Any]) -> None:
        with self._write() as db:
            (current,) = db.execute(
                "SELECT fields FROM models WHERE name = ? AND version = ?", (name, version)
            ).fetchone()
            merged = {**json.loads(current), **fields}
            db.execute(
                "UPDATE models SET fields = ? WHERE name = ? AND version = ?", (_dumps(merged), name, version)
            )

    def delete_model(self, name: str, version: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM models WHERE name = ? AND version = ?", (name, version))

    def create_dataset_version(
        self, name: str, fields: Mapping[str, Any], stage: Callable[[int], None]
    ) -> dict:
        return self._create_version("datasets", name, fields, stage)

    def list_datasets(self, name: str | None = None) -> list[dict]:
        return self._list_versions("datasets", name)

    # -- named JSON assets
    def put_asset(self, kind: str, name: str, payload: Mapping[str, Any]) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO assets (kind, name, payload) VALUES (?, ?, ?)",
                (kind, name, _dumps(dict(payload))),
            )

    def get_asset(self, kind: str, name: str) -> dict | None:
        rows = self._query("SELECT payload FROM assets WHERE kind = ? AND name = ?", (kind, name))
        return json.loads(rows[0]["payload"]) if rows else None

    def list_assets(self, kind: str) -> list[dict]:
        return [
            json.loads(r["payload"])
            for r in self._query("SELECT payload FROM assets WHERE kind = ? ORDER BY name", (kind,))
        ]

    def delete_asset(self, kind: str, name: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM assets WHERE kind = ? AND name = ?", (kind, name))

    # -- slots
    def acquire_slot(self, pool: str, capacity: int, holder: str, is_stale: Callable[[dict], bool]) -> bool:
        with self._write() as db:
            held = [dict(r) for r in db.execute("SELECT * FROM slots WHERE pool = ?", (pool,))]
            if any(h["holder"] == holder for h in held):
                return True
            for stale in [h for h in held if is_stale(h)]:
                db.execute("DELETE FROM slots WHERE pool = ? AND holder = ?", (pool, stale["holder"]))
                held.remove(stale)
            if len(held) >= capacity:
                return False
            db.execute(
                "INSERT INTO slots (pool, holder, acquired) VALUES (?, ?, ?)", (pool, holder, time.time())
            )
        return True

    def release_slot(self, pool: str, holder: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM slots WHERE pool = ? AND holder = ?", (pool, holder))
