"""Plain-JSON views of store records: what the studio's pages show of a run, with secrets hidden.

Everything here reads through :class:`emulator.store.AbstractStore`; nothing writes.
"""

from __future__ import annotations

import json
import math
import re
import time
from typing import Any
from urllib.parse import quote

from emulator.store import TERMINAL_STATUSES

# Values under names like these never reach the browser, wherever they sit in a record.
_SECRET = re.compile(r"key|secret|token|password|passwd|credential|connection_?string|sas_?url", re.I)
_HIDDEN = "••••••"
# The sweep keeps per-trial bookkeeping in tags named like this; the studio shows it as hyperparameters.
SYSTEM_TAG = "_aml_system_"
_IMAGE_ADDRESS = re.compile(r"^aml://artifactId/ExperimentRun/dcid\.(?P<run>[^/]+)/(?P<name>.+)$")


def redact(value: Any) -> Any:
    """``value`` with every entry whose name looks like a secret replaced by a mask, recursively."""
    if isinstance(value, dict):
        return {k: _HIDDEN if _SECRET.search(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def file_url(run_id: str, name: str) -> str:
    return f"api/runs/{quote(run_id, safe='')}/files/{quote(name)}"


def image_url(address: Any) -> str | None:
    """The studio address of an image logged with ``log_image`` (an ``aml://artifactId/...`` string)."""
    match = _IMAGE_ADDRESS.match(address) if isinstance(address, str) else None
    return file_url(match["run"], match["name"]) if match else None


def number(value: Any) -> float | None:
    """``value`` as a finite float, or None for strings, booleans, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def duration(record: dict) -> float | None:
    if not record.get("start_time"):
        return None
    end = record.get("end_time") or (None if record["status"] in TERMINAL_STATUSES else time.time())
    return None if end is None else max(0.0, end - record["start_time"])


def visible_tags(record: dict) -> dict:
    return redact({k: v for k, v in record["tags"].items() if not k.startswith(SYSTEM_TAG)})


def primary_metric(record: dict, parent: dict | None) -> tuple[str, str] | None:
    """(name, goal) of the metric that ranks this run: its sweep's or AutoML's, or its parent's."""
    properties = record["properties"]
    if "primary_metric_config" in properties:
        config = json.loads(properties["primary_metric_config"])
        return config["name"], config["goal"].lower()
    if record["type"] == "automl" and properties.get("primary_metric"):
        # The AutoML package takes seconds to import; serve() warms it up in the background.
        from emulator.train.automl.metrics import is_maximized

        name = properties["primary_metric"]
        return name, "maximize" if is_maximized(name) else "minimize"
    return primary_metric(parent, None) if parent is not None else None


def best(values: list[float], goal: str | None) -> float | None:
    if not values:
        return None
    if goal == "maximize":
        return max(values)
    return min(values) if goal == "minimize" else values[-1]


def summary(
    record: dict, primary: tuple[str, str] | None = None, value: float | None = None, own: bool = False
) -> dict:
    """One row of the runs table; ``own`` says the run logged its primary metric itself (not its children)."""
    return {
        "run_id": record["run_id"],
        "experiment": record["experiment"],
        "parent_id": record["parent_id"],
        "number": record["number"],
        "type": record["type"],
        "display_name": record["display_name"] or record["run_id"],
        "status": record["status"],
        "live": record["status"] not in TERMINAL_STATUSES,
        "created": record["created"],
        "start_time": record["start_time"],
        "end_time": record["end_time"],
        "duration": duration(record),
        "primary_metric": None
        if primary is None
        else {"name": primary[0], "goal": primary[1], "value": value, "own": own},
        "tags": visible_tags(record),
    }
