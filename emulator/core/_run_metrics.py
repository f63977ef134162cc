"""Metric logging and reading of ``Run``: every log call is one durable ``log_batch``."""

from __future__ import annotations

import io
import json
import time
import uuid
from collections import defaultdict
from typing import Any

from ..exceptions import UserErrorException
from ..store import Metric


def _parsed(value: Any) -> Any:
    # The SDK's log_residuals/log_predictions/... take a JSON string or a dict.
    return json.loads(value) if isinstance(value, str) else value


def aggregate(rows: list[dict]) -> dict[str, Any]:
    """The SDK's ``get_metrics`` shape for one run's metric rows, in logging order.

    A scalar logged once is its value, logged more often a list of values; rows become a table
    (a dict of column lists); other kinds keep their last value.
    """
    by_name: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_name[row["name"]].append(row)
    metrics: dict[str, Any] = {}
    for name, entries in by_name.items():
        kind = entries[-1]["kind"]
        if kind == "scalar":
            values = [e["value"] for e in entries]
            metrics[name] = values[0] if len(values) == 1 else values
        elif kind == "row":
            table: dict[str, list] = defaultdict(list)
            for entry in entries:
                for column, value in entry["value"].items():
                    table[column].append(value)
            metrics[name] = dict(table)
        else:
            metrics[name] = entries[-1]["value"]
    return metrics


class RunMetricsMixin:
    """The ``log_*`` family and ``get_metrics`` of :class:`emulator.core.Run`."""

    # Set in ranks other than 0 of a distributed run, whose metrics would repeat rank 0's.
    _metrics_muted = False

    def _log(self, name: str, value: Any, kind: str, step: int | None = None) -> None:
        if not isinstance(name, str) or not name:
            raise UserErrorException(f"Metric name must be a non-empty string, got {name!r}")
        if self._metrics_muted:
            return
        self._store.log_batch(self.id, [Metric(name, value, step=step, kind=kind)])

    def log(self, name, value, description="", step=None):
        """Log a scalar (number, bool or string); ``step`` orders repeated values."""
        if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
            raise UserErrorException(f"step must be an int, got {type(step).__name__}")
        if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
            value = value.item()
        if not isinstance(value, int | float | str | bool):
            raise UserErrorException(
                f"Metric {name!r}: log takes a number, bool or string, got {type(value).__name__}; use log_list"
            )
        self._log(name, value, "scalar", step)

    def log_list(self, name, value, description=""):
        self._log(name, list(value), "list")

    def log_row(self, name, description=None, **kwargs):
        if not kwargs:
            raise UserErrorException(f"log_row({name!r}) needs at least one column=value argument")
        self._log(name, kwargs, "row")

    def log_table(self, name, value, description=""):
        if not isinstance(value, dict):
            raise UserErrorException(f"log_table({name!r}) takes a dict of column lists")
        self._log(name, {k: list(v) for k, v in value.items()}, "table")

    def log_residuals(self, name, value, description=""):
        self._log(name, _parsed(value), "residuals")

    def log_predictions(self, name, value, description=""):
        self._log(name, _parsed(value), "predictions")

    def log_confusion_matrix(self, name, value, description=""):
        self._log(name, _parsed(value), "confusion_matrix")

    def log_accuracy_table(self, name, value, description=""):
        self._log(name, _parsed(value), "accuracy_table")

    def log_image(self, name, path=None, plot=None, description=""):
        """Upload an image file or a matplotlib figure/pyplot as an artifact and log its address."""
        if (path is None) == (plot is None):
            raise UserErrorException(
                "Invalid parameters, path and plot were both provided, only one at a time is supported"
                if path is not None
                else "Invalid parameters, either path or plot must be provided"
            )
        artifact = f"{name}_{int(time.time() * 1000)}_{uuid.uuid4().hex[:6]}.png"
        if path is not None:
            self.upload_file(artifact, path)
        else:
            buffer = io.BytesIO()
            plot.savefig(buffer, format="png")
            buffer.seek(0)
            self.upload_file(artifact, buffer)
        self._log(name, f"aml://artifactId/ExperimentRun/dcid.{self.id}/{artifact}", "image")

    def get_metrics(self, name=None, recursive=False, run_type=None, populate=False):
        """{name: value} of this run; with ``recursive``, {run_id: {name: value}} of it and its descendants."""
        if not recursive:
            return aggregate(self._store.get_metrics([self.id], name))
        runs = [self, *self.get_children(recursive=True, type=run_type)]
        rows = self._store.get_metrics([r.id for r in runs], name)
        grouped: dict[str, list[dict]] = {r.id: [] for r in runs}
        for row in rows:
            grouped[row["run_id"]].append(row)
        return {run_id: aggregate(entries) for run_id, entries in grouped.items()}

    def _get_metric_rows(self, name=None) -> list[dict]:
        """Raw rows (name, value, step, kind, time) in logging order, for policies that need steps."""
        return self._store.get_metrics([self.id], name)
