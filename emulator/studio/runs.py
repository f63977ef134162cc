"""The studio's run pages: the runs table, one run in full, a metric across runs, and a comparison."""

from __future__ import annotations

from collections import defaultdict

from emulator.store import AbstractStore

from ._records import (
    SYSTEM_TAG,
    best,
    file_url,
    image_url,
    number,
    primary_metric,
    redact,
    summary,
)


class RunNotFound(LookupError):
    """No run with this id in the workspace (the app answers 404)."""


def _curves(store: AbstractStore, run_ids: list[str], name: str) -> dict[str, list[float]]:
    """{run id: numeric values of ``name`` in logging order}."""
    curves: dict[str, list[float]] = defaultdict(list)
    for row in store.get_metrics(run_ids, name):
        value = number(row["value"]) if row["kind"] == "scalar" else None
        if value is not None:
            curves[row["run_id"]].append(value)
    return curves


def _primaries(records: list[dict], store: AbstractStore) -> dict[str, tuple[str, str] | None]:
    by_id = {r["run_id"]: r for r in records}
    missing = {r["parent_id"] for r in records if r["parent_id"] and r["parent_id"] not in by_id}
    for parent_id in missing:
        parent = store.get_run(parent_id)
        if parent is not None:
            by_id[parent_id] = parent
    return {r["run_id"]: primary_metric(r, by_id.get(r["parent_id"] or "")) for r in records}


def summaries(store: AbstractStore, records: list[dict]) -> list[dict]:
    """Rows of the runs table with each run's primary metric: a trial's best value, a parent's best trial."""
    primaries = _primaries(records, store)
    values: dict[str, float | None] = {}
    by_metric: dict[tuple[str, str], list[str]] = defaultdict(list)
    for run_id, primary in primaries.items():
        if primary is not None:
            by_metric[primary].append(run_id)
    for (name, goal), run_ids in by_metric.items():
        curves = _curves(store, run_ids, name)
        values.update({run_id: best(curves.get(run_id, []), goal) for run_id in run_ids})
    children: dict[str, list[float]] = defaultdict(list)
    for record in records:
        if record["parent_id"] and values.get(record["run_id"]) is not None:
            children[record["parent_id"]].append(values[record["run_id"]])
    own = {run_id for run_id, value in values.items() if value is not None}
    for record in records:
        primary = primaries[record["run_id"]]
        if record["run_id"] not in own and primary is not None:
            values[record["run_id"]] = best(children.get(record["run_id"], []), primary[1])
    return [
        summary(r, primaries[r["run_id"]], values.get(r["run_id"]), own=r["run_id"] in own) for r in records
    ]


def list_runs(store: AbstractStore, experiment: str | None = None) -> list[dict]:
    """Every run (children too) of one experiment or of all, in creation order."""
    return summaries(store, store.search_runs(experiment=experiment))


def experiments(store: AbstractStore) -> list[dict]:
    counts: dict[str, int] = defaultdict(int)
    for record in store.search_runs():
        counts[record["experiment"]] += 1
    return [
        {"name": e["name"], "runs": counts[e["name"]], "archived": bool(e["archived"])}
        for e in store.list_experiments()
    ]


def get_record(store: AbstractStore, run_id: str) -> dict:
    record = store.get_run(run_id)
    if record is None:
        raise RunNotFound(f"no run {run_id!r} in this workspace")
    return record


def metric_across_runs(
    store: AbstractStore, name: str, experiment: str | None = None, parent_id: str | None = None
) -> list[dict]:
    """One point per run that logged ``name``: its best value by the run's goal, else its last."""
    records = store.search_runs(experiment=experiment, parent_id=... if parent_id is None else parent_id)
    primaries = _primaries(records, store)
    curves = _curves(store, [r["run_id"] for r in records], name)
    points = []
    for record in records:
        curve = curves.get(record["run_id"])
        if curve:
            primary = primaries[record["run_id"]]
            goal = primary[1] if primary and primary[0] == name else None
            points.append(
                {
                    "run_id": record["run_id"],
                    "number": record["number"],
                    "display_name": record["display_name"] or record["run_id"],
                    "status": record["status"],
                    "value": best(curve, goal),
                }
            )
    return points


def metric_names(store: AbstractStore, experiment: str | None = None) -> list[str]:
    """Names of the numeric scalar metrics the runs of ``experiment`` logged, for the chart's picker."""
    return store.metric_names([r["run_id"] for r in store.search_runs(experiment=experiment)], kind="scalar")


def _metrics(store: AbstractStore, run_id: str) -> list[dict]:
    """Each metric once: scalars as (step, value) points, rows gathered into a table, images as URLs."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in store.get_metrics([run_id]):
        grouped[row["name"]].append(row)
    metrics = []
    for name, rows in grouped.items():
        kind = rows[-1]["kind"]
        entry: dict = {"name": name, "kind": kind}
        if kind == "scalar":
            entry["points"] = [
                {"step": r["step"] if r["step"] is not None else i, "value": r["value"]}
                for i, r in enumerate(rows)
            ]
            entry["value"] = rows[-1]["value"]
        elif kind == "row":
            table: dict[str, list] = defaultdict(list)
            for r in rows:
                for column, value in r["value"].items():
                    table[column].append(value)
            entry["kind"], entry["value"] = "table", dict(table)
        elif kind == "image":
            entry["images"] = [url for url in (image_url(r["value"]) for r in rows) if url]
        else:
            entry["value"] = rows[-1]["value"]
        metrics.append(entry)
    return metrics


def _tree(store: AbstractStore, record: dict) -> list[dict]:
    children = store.search_runs(parent_id=record["run_id"])
    rows = summaries(store, children)
    for row, child in zip(rows, children, strict=True):
        row["children"] = _tree(store, child)
    return rows


def hyperparameters(store: AbstractStore, record: dict) -> dict | None:
    """A trial's sampled hyperparameters, which its sweep keeps in a system tag."""
    import json

    if not record["parent_id"]:
        return None
    parent = store.get_run(record["parent_id"])
    raw = parent["tags"].get(f"{SYSTEM_TAG}{record['run_id']}") if parent else None
    return json.loads(raw) if raw else None


def run_detail(store: AbstractStore, run_id: str) -> dict:
    """Everything the run page shows; a sweep or AutoML parent also gets its own panel."""
    from . import sweeps

    record = get_record(store, run_id)
    # a parent's primary metric is its best child's, so the children are summarized with it
    row = summaries(store, [record, *store.search_runs(parent_id=run_id)])[0]
    files = [{**a, "url": file_url(run_id, a["name"])} for a in store.list_artifacts(run_id)]
    detail = {
        **row,
        "properties": redact(record["properties"]),
        "details": redact(record["details"]),
        "error": redact(record["error"]),
        "hyperparameters": hyperparameters(store, record),
        "metrics": _metrics(store, run_id),
        "files": files,
        "children": _tree(store, record),
    }
    if record["type"] == "hyperdrive":
        detail["sweep"] = sweeps.hyperdrive(store, record)
    elif record["type"] == "automl":
        detail["automl"] = sweeps.automl(store, record)
    return detail


def compare(store: AbstractStore, run_ids: list[str]) -> dict:
    """Runs side by side: metadata, each scalar metric's last value (and its curve where it was logged
    more than once), hyperparameters and logged images."""
    records = [get_record(store, run_id) for run_id in run_ids]
    runs = []
    for row, record in zip(summaries(store, records), records, strict=True):
        metrics = _metrics(store, record["run_id"])
        runs.append(
            {
                **row,
                "hyperparameters": hyperparameters(store, record),
                "metrics": {m["name"]: m["value"] for m in metrics if m["kind"] == "scalar"},
                "curves": {
                    m["name"]: m["points"] for m in metrics if m["kind"] == "scalar" and len(m["points"]) > 1
                },
                "images": {m["name"]: m["images"] for m in metrics if m["kind"] == "image"},
            }
        )
    names = sorted({name for run in runs for name in run["metrics"]})
    return {"runs": runs, "metric_names": names}
