"""The panels of parent runs: a HyperDrive sweep's trials and an AutoML experiment's leaderboard."""

from __future__ import annotations

import json
import re
from collections import defaultdict

from emulator.store import AbstractStore
from emulator.train.hyperdrive.run import CONTROLLER_LOG

from ._records import SYSTEM_TAG, best, duration, image_url, number, primary_metric

# The sweep controller writes this line when an early-termination policy cancels a trial.
_POLICY_CUT = re.compile(r"policy cancels (?P<run>\S+) at interval (?P<interval>\d+)")


def _policy_cuts(store: AbstractStore, run_id: str) -> dict[str, int]:
    names = {a["name"] for a in store.list_artifacts(run_id)}
    path = store.artifact_path(run_id, CONTROLLER_LOG)
    if CONTROLLER_LOG not in names or not path.is_file():
        return {}
    return {m["run"]: int(m["interval"]) for m in _POLICY_CUT.finditer(path.read_text(errors="replace"))}


def _json_property(record: dict, name: str) -> dict | None:
    raw = record["properties"].get(name)
    return json.loads(raw) if raw else None


def hyperdrive(store: AbstractStore, record: dict) -> dict:
    """Every trial's primary-metric curve, where a policy cut it, and its hyperparameters."""
    name, goal = primary_metric(record, None)
    trials = store.search_runs(parent_id=record["run_id"])
    points: dict[str, list[dict]] = defaultdict(list)
    for row in store.get_metrics([t["run_id"] for t in trials], name):
        value = number(row["value"]) if row["kind"] == "scalar" else None
        if value is not None:
            series = points[row["run_id"]]
            series.append({"step": row["step"] if row["step"] is not None else len(series), "value": value})
    cuts = _policy_cuts(store, record["run_id"])
    rows = []
    for trial in trials:
        raw = record["tags"].get(f"{SYSTEM_TAG}{trial['run_id']}")
        curve = points.get(trial["run_id"], [])
        rows.append(
            {
                "run_id": trial["run_id"],
                "number": trial["number"],
                "trial": trial["run_id"].rsplit("_", 1)[-1],  # HD_<id>_<n>: the sweep's own numbering
                "status": trial["status"],
                "duration": duration(trial),
                "hyperparameters": json.loads(raw) if raw else {},
                "curve": curve,
                "best": best([p["value"] for p in curve], goal),
                "cut_at_interval": cuts.get(trial["run_id"]),
            }
        )
    return {
        "primary_metric": {"name": name, "goal": goal},
        "policy": _json_property(record, "policy_config"),
        "sampling": _json_property(record, "generator_config"),
        "best_child_run_id": record["properties"].get("best_child_run_id"),
        "trials": rows,
    }


def automl(store: AbstractStore, record: dict) -> dict:
    """The leaderboard (best first) and the explanation the best model got."""
    name, goal = primary_metric(record, None)
    children = store.search_runs(parent_id=record["run_id"])
    rows = store.get_metrics([c["run_id"] for c in children])
    scores: dict[str, list[float]] = defaultdict(list)
    explanation: dict = {}
    for row in rows:
        if row["name"] == name and row["kind"] == "scalar" and number(row["value"]) is not None:
            scores[row["run_id"]].append(row["value"])
        elif row["name"] == "feature_importance" and row["kind"] == "table":
            explanation.update(run_id=row["run_id"], table=row["value"])
        elif row["name"] == "feature_importance_plot" and row["kind"] == "image":
            explanation.setdefault("images", []).append(image_url(row["value"]))
    leaderboard = [
        {
            "run_id": c["run_id"],
            "iteration": int(c["properties"].get("iteration", -1)),
            "algorithm": c["properties"].get("run_algorithm") or c["display_name"],
            "preprocessor": c["properties"].get("run_preprocessor") or "",
            "status": c["status"],
            "duration": duration(c),
            "score": best(scores.get(c["run_id"], []), goal),
        }
        for c in children
    ]
    sign = -1.0 if goal == "maximize" else 1.0
    leaderboard.sort(key=lambda e: (e["score"] is None, sign * (e["score"] or 0.0), e["iteration"]))
    best_iteration = record["properties"].get("best_iteration")
    return {
        "primary_metric": {"name": name, "goal": goal},
        "best_iteration": int(best_iteration) if best_iteration else None,
        "stop_reason": record["properties"].get("stop_reason"),
        "leaderboard": leaderboard,
        "explanation": explanation or None,
    }
