"""A backend-independent test suite for :class:`emulator.store.AbstractStore`.

Subclass it and provide a ``store`` fixture (and ``other_process_store_code``, the Python source
that opens the same store in another process as ``store``) to run it against a backend.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from emulator.store import Metric


def _run(store, run_id="r1", experiment="exp", **fields):
    store.create_experiment(experiment)
    return store.create_run(
        {"run_id": run_id, "experiment": experiment, "type": "test", "status": "NotStarted", **fields}
    )


class StoreSuite:
    other_process_store_code: str

    def test_create_experiment_is_idempotent(self, store):
        first = store.create_experiment("exp")
        assert store.create_experiment("exp")["id"] == first["id"]
        assert [e["name"] for e in store.list_experiments()] == ["exp"]

    def test_runs_are_numbered_per_experiment(self, store):
        numbers = [_run(store, f"r{i}")["number"] for i in range(3)]
        assert numbers == [1, 2, 3]
        assert _run(store, "other", experiment="exp2")["number"] == 1

    def test_search_runs_distinguishes_top_level_and_children(self, store):
        _run(store, "parent")
        _run(store, "child", parent_id="parent")
        assert [r["run_id"] for r in store.search_runs(experiment="exp", parent_id=None)] == ["parent"]
        assert [r["run_id"] for r in store.search_runs(parent_id="parent")] == ["child"]
        assert len(store.search_runs(experiment="exp")) == 2

    def test_log_batch_keeps_metric_order_steps_and_merges_tags(self, store):
        _run(store)
        store.log_batch("r1", [Metric("loss", 0.5, step=1), Metric("loss", 0.25, step=2)], tags={"a": "1"})
        store.log_batch("r1", [Metric("acc", [1, 2], kind="list")], tags={"b": "2"}, properties={"p": "x"})
        rows = store.get_metrics(["r1"])
        assert [(r["name"], r["value"], r["step"]) for r in rows] == [
            ("loss", 0.5, 1),
            ("loss", 0.25, 2),
            ("acc", [1, 2], None),
        ]
        assert store.get_run("r1")["tags"] == {"a": "1", "b": "2"}
        assert store.get_run("r1")["properties"] == {"p": "x"}

    def test_metric_names_are_distinct_sorted_and_filtered_by_kind(self, store):
        _run(store, "r1")
        _run(store, "r2")
        store.log_batch(
            "r1", [Metric("loss", 0.5, step=1), Metric("loss", 0.4, step=2), Metric("acc", [1], kind="list")]
        )
        store.log_batch("r2", [Metric("mae", 3.0)])
        assert store.metric_names(["r1", "r2"]) == ["acc", "loss", "mae"]
        assert store.metric_names(["r1"], kind="scalar") == ["loss"]
        assert store.metric_names([]) == []

    def test_update_run_respects_the_status_guard(self, store):
        _run(store)
        assert store.update_run("r1", {"status": "Completed"}, unless_status=["Completed"])
        assert not store.update_run("r1", {"status": "Failed"}, unless_status=["Completed"])
        assert store.get_run("r1")["status"] == "Completed"

    def test_artifacts_are_indexed_once_per_name(self, store):
        _run(store)
        store.add_artifacts("r1", [("outputs/a.txt", 1), ("outputs/a.txt", 5), ("logs/b", 2)])
        assert [(a["name"], a["size"]) for a in store.list_artifacts("r1")] == [
            ("logs/b", 2),
            ("outputs/a.txt", 5),
        ]

    def test_model_versions_count_up_and_stage_before_insert(self, store):
        staged = []
        for _ in range(3):
            store.create_model_version("m", {"path": "x"}, staged.append)
        assert staged == [1, 2, 3]
        assert [m["version"] for m in store.list_models("m")] == [3, 2, 1]

    def test_failed_staging_rolls_back_the_version(self, store):
        def broken(version):
            raise OSError("disk full")

        with pytest.raises(OSError):
            store.create_model_version("m", {}, broken)
        assert store.list_models("m") == []
        assert store.create_model_version("m", {}, lambda v: None)["version"] == 1

    def test_dataset_versions_are_separate_from_models(self, store):
        store.create_model_version("same", {}, lambda v: None)
        assert store.create_dataset_version("same", {"h": 1}, lambda v: None)["version"] == 1
        assert store.list_datasets("same")[0]["h"] == 1

    def test_assets_round_trip_by_kind(self, store):
        store.put_asset("compute", "cpu", {"name": "cpu", "max_nodes": 2})
        store.put_asset("environment", "cpu", {"name": "cpu"})
        assert store.get_asset("compute", "cpu")["max_nodes"] == 2
        assert [a["name"] for a in store.list_assets("compute")] == ["cpu"]
        store.delete_asset("compute", "cpu")
        assert store.get_asset("compute", "cpu") is None

    def test_slots_bound_holders_and_evict_stale_ones(self, store):
        never_stale = lambda slot: False  # noqa: E731
        assert store.acquire_slot("gpu", 2, "a", never_stale)
        assert store.acquire_slot("gpu", 2, "b", never_stale)
        assert not store.acquire_slot("gpu", 2, "c", never_stale)
        assert store.acquire_slot("gpu", 2, "c", lambda slot: slot["holder"] == "a")
        store.release_slot("gpu", "b")
        assert store.acquire_slot("gpu", 2, "d", never_stale)

    def test_concurrent_processes_lose_no_metric(self, store):
        """Four processes append 2,000 metrics each, one transaction per metric, at the same time."""
        _run(store)
        writer = textwrap.dedent(
            f"""
            import sys
            from emulator.store import Metric
            {self.other_process_store_code}
            for i in range(2000):
                store.log_batch("r1", [Metric(sys.argv[1], i, step=i)])
            """
        )
        started = time.monotonic()
        processes = [
            subprocess.Popen([sys.executable, "-c", writer, f"m{p}"], stderr=subprocess.PIPE)
            for p in range(4)
        ]
        errors = [p.communicate(timeout=120)[1].decode() for p in processes]
        assert all(p.returncode == 0 for p in processes), errors
        rows = store.get_metrics(["r1"])
        for p in range(4):
            assert [r["value"] for r in rows if r["name"] == f"m{p}"] == list(range(2000))
        assert time.monotonic() - started < 60
