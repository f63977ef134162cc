"""``RunDetails`` (the SDK's ``azureml.widgets``): a run and its children at a glance.

In a notebook it renders HTML; in a terminal a rich tree. The CLI's ``runs show`` uses the same
rendering.
"""

from __future__ import annotations

import html
import json
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

_STATUS_STYLE = {"Completed": "green", "Failed": "red", "Canceled": "yellow", "Running": "cyan"}


def _summary(value: Any) -> str:
    if isinstance(value, list):
        return f"{value[-1]!r} (last of {len(value)})" if value else "[]"
    if isinstance(value, dict):
        return f"table {', '.join(map(str, value))}"
    return repr(value)


def _primary_metric(run) -> str | None:
    """The metric an AutoML or HyperDrive parent ranks its children by (None for other runs)."""
    properties = run.get_properties()
    if properties.get("primary_metric"):
        return properties["primary_metric"]
    if properties.get("primary_metric_config"):
        return json.loads(properties["primary_metric_config"]).get("name")
    return None


def _what(run, parent_tags: dict) -> str:
    """What a child tried: AutoML's algorithm, or a HyperDrive trial's hyperparameters."""
    algorithm = run.get_properties().get("run_algorithm")
    if algorithm:
        return algorithm
    recorded = parent_tags.get(f"_aml_system_{run.id}")
    return " ".join(f"{k.lstrip('-')}={v}" for k, v in json.loads(recorded).items()) if recorded else ""


def _label(run, primary: str | None = None, parent_tags: dict | None = None) -> str:
    status = run.get_status()
    style = _STATUS_STYLE.get(status, "white")
    metrics = run.get_metrics()
    if primary is not None:
        # Children of a sweep or AutoML job are compared on one metric; the rest is in `runs show`.
        metrics = {primary: metrics[primary]} if primary in metrics else {}
    shown = ", ".join(f"{k}={_summary(v)}" for k, v in sorted(metrics.items()))
    what = _what(run, parent_tags or {})
    return (
        f"[bold]{run.id}[/bold] [{style}]{status}[/{style}] {run.type}"
        + (f"  [magenta]{escape(what)}[/magenta]" if what else "")
        + (f"  {shown}" if shown else "")
    )


def run_tree(run) -> Tree:
    """The run and its descendants with status and type. Under an AutoML or HyperDrive parent each
    run shows what it tried (algorithm or hyperparameters) and only the primary metric; other runs
    show all their latest metrics."""
    primary = _primary_metric(run)
    tree = Tree(_label(run, primary))
    branches = {run.id: (tree, run.get_tags(), primary)}
    for child in run.get_children(recursive=True):
        branch, tags, inherited = branches[child._record()["parent_id"]]
        primary = _primary_metric(child) or inherited
        branches[child.id] = (branch.add(_label(child, primary, tags)), child.get_tags(), primary)
    return tree


def run_table(run) -> Table:
    """Details, tags, properties and metrics of one run as rows."""
    details = run.get_details()
    table = Table(title=f"Run {run.id}", show_header=False)
    for key in ("status", "target", "startTimeUtc", "endTimeUtc"):
        table.add_row(key, str(details.get(key)))
    table.add_row("experiment", run.experiment.name)
    table.add_row("type", run.type)
    if "error" in details:
        table.add_row("error", details["error"]["error"].get("message", ""))
    for section, values in (
        ("tag", run.get_tags()),
        ("property", run.get_properties()),
        ("metric", run.get_metrics()),
    ):
        for key, value in sorted(values.items()):
            table.add_row(f"{section} {key}", _summary(value))
    return table


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class RunDetails:
    """``RunDetails(run).show()`` renders the run and its children."""

    def __init__(self, run_instance):
        self.run_instance = run_instance

    def _html(self) -> str:
        runs = [self.run_instance, *self.run_instance.get_children(recursive=True)]
        rows = "".join(
            f"<tr><td>{html.escape(r.id)}</td><td>{html.escape(r.get_status())}</td><td>{html.escape(r.type)}</td>"
            f"<td>{html.escape(', '.join(f'{k}={_summary(v)}' for k, v in sorted(r.get_metrics().items())))}</td></tr>"
            for r in runs
        )
        return f"<table><tr><th>Run</th><th>Status</th><th>Type</th><th>Metrics</th></tr>{rows}</table>"

    def show(self):
        if _in_notebook():
            from IPython.display import HTML, display

            display(HTML(self._html()))
        else:
            Console().print(run_tree(self.run_instance))

    def get_widget_data(self, widget_settings=None):
        return {
            "run": self.run_instance.get_details(),
            "children": [c.id for c in self.run_instance.get_children()],
        }
