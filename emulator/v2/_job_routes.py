"""Jobs: submission (command jobs run on the process runner), reads whose status is the run's, cancel,
and the run-history and metric services the SDK reads children and metrics from."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from azure.ai.ml._restclient.runhistory.models import (
    GetRunDataResult,
    MetricV2,
    MetricV2Value,
    PaginatedRunList,
    Run,
)

from . import _automl, _command, _sweep
from ._http import error

_KIND = "v2:jobs"
_STARTERS = {"Command": _command.start, "Sweep": _sweep.start, "AutoML": _automl.start}
# The v1 run states the v2 job API names differently (JobStatus in azure-ai-ml's REST models).
_STATUS = {"Queued": "Queued", "Starting": "Starting", "Preparing": "Preparing", "Running": "Running"}


def _iso(seconds: float | None) -> str | None:
    return datetime.fromtimestamp(seconds, UTC).isoformat() if seconds else None


def job_answer(surface, name: str) -> dict | None:
    """The stored job with the live state of its run: status, properties and tags."""
    stored, run = surface.store.get_asset(_KIND, name), surface.store.get_run(name)
    if stored is None and run is None:
        return None
    if stored is None:  # a trial or an AutoML child: a v1 run the job API shows as a command job
        stored = _child_job(surface, run)
    properties = stored["properties"]
    if run is not None and run["type"] == "automl" and run["status"] == "Completed":
        _automl.tag_best_child(surface, name)
        run = surface.store.get_run(name)
    if run is not None:
        properties["status"] = _STATUS.get(run["status"], run["status"])
        properties["properties"] = {**(properties.get("properties") or {}), **run["properties"]}
        properties["tags"] = {**(properties.get("tags") or {}), **run["tags"]}
    properties["services"] = {
        "Studio": {"jobServiceType": "Studio", "endpoint": f"{surface.base_url}/studio/runs/{name}"}
    }
    return stored


def _child_job(surface, run: dict) -> dict:
    definition = (run.get("details") or {}).get("runDefinition") or {}
    command = definition.get("command") or " ".join(
        ["python", definition.get("script") or "", *definition.get("arguments", [])]
    )
    return {
        "id": f"{surface.arm}/jobs/{run['run_id']}",
        "name": run["run_id"],
        "type": "Microsoft.MachineLearningServices/workspaces/jobs",
        "properties": {
            "jobType": "Command",
            "command": command.strip() or "python",
            "environmentId": f"{surface.arm}/environments/emulator-python/versions/1",
            "computeId": f"{surface.arm}/computes/{(run.get('details') or {}).get('target') or 'local'}",
            "experimentName": run["experiment"],
            "displayName": run.get("display_name") or run["run_id"],
            "outputs": {},
        },
    }


def _history_run(record: dict) -> Run:
    return Run(
        run_id=record["run_id"],
        parent_run_id=record["parent_id"],
        status=record["status"],
        name=record["run_id"],
        display_name=record.get("display_name") or record["run_id"],
        experiment_id=record["experiment"],
        start_time_utc=_iso(record.get("start_time")),
        end_time_utc=_iso(record.get("end_time")),
        tags=record.get("tags") or {},
        properties=record.get("properties") or {},
        run_type=record["type"],
    )


def routes(surface) -> list:
    """(method, pattern, handler, public) for jobs, run history and metrics."""
    arm = re.escape(surface.arm)

    def create(match, body, query, headers):
        name, properties = match["name"], body["properties"]
        if surface.store.get_asset(_KIND, name) is not None:
            return error(400, "UserError", f"A job with name {name} already exists; job names are unique")
        starter = _STARTERS.get(properties.get("jobType"))
        if starter is None:
            return error(
                400, "UserError", f"jobType {properties.get('jobType')!r} is not run by the emulator yet"
            )
        properties["status"] = "NotStarted"
        resource = {
            "id": f"{surface.arm}/jobs/{name}",
            "name": name,
            "type": "Microsoft.MachineLearningServices/workspaces/jobs",
            **body,
        }
        try:
            starter(surface, name, properties)
        except _command.JobInputError as exc:
            return error(400, "UserError", str(exc))
        surface.store.put_asset(_KIND, name, resource)
        return 201, job_answer(surface, name), {}

    def read(match, body, query, headers):
        found = job_answer(surface, match["name"])
        if found is None:
            return error(404, "UserError", f"Job {match['name']} was not found")
        return 200, found, {}

    def listing(match, body, query, headers):
        jobs = [job_answer(surface, job["name"]) for job in surface.store.list_assets(_KIND)]
        return 200, {"value": jobs}, {}

    def cancel(match, body, query, headers):
        from ..core import Run as V1Run

        if surface.store.get_asset(_KIND, match["name"]) is None:
            return error(404, "UserError", f"Job {match['name']} was not found")
        V1Run.get(surface.workspace, match["name"]).cancel()
        return 202, None, {}

    def children(match, body, query, headers):
        runs = surface.store.search_runs(parent_id=match["run"])
        return 200, PaginatedRunList(value=[_history_run(r) for r in runs]).as_dict(), {}

    def history_run(match, body, query, headers):
        record = surface.store.get_run(match["run"])
        if record is None:
            return error(404, "UserError", f"Run {match['run']} was not found")
        return 200, _history_run(record).as_dict(), {}

    def metric(match, body, query, headers):
        name = body["metricName"]
        rows = surface.store.get_metrics([match["run"]], name)
        values = [
            MetricV2Value(step=row["step"] if row["step"] is not None else i, data={name: row["value"]})
            for i, row in enumerate(rows)
        ]
        return 200, MetricV2(name=name, value=values).as_dict(), {}

    def run_data(match, body, query, headers):
        # The run's record, without registered output datasets or models (the emulator keeps none on runs).
        record = surface.store.get_run(body["runId"])
        if record is None:
            return error(404, "UserError", f"Run {body['runId']} was not found")
        return 200, GetRunDataResult(run_metadata=_history_run(record)).as_dict(), {}

    history = rf"^/history/v1.0{arm}"
    return [
        ("GET", rf"^{arm}/jobs$", listing, False),
        ("PUT", rf"^{arm}/jobs/(?P<name>[^/]+)$", create, False),
        ("GET", rf"^{arm}/jobs/(?P<name>[^/]+)$", read, False),
        ("POST", rf"^{arm}/jobs/(?P<name>[^/]+)/cancel$", cancel, False),
        ("GET", rf"{history}/runs/(?P<run>[^/]+)/children$", children, False),
        ("GET", rf"{history}/runs/(?P<run>[^/]+)$", history_run, False),
        ("GET", rf"{history}/experimentids/[^/]+/runs/(?P<run>[^/]+)$", history_run, False),
        ("POST", rf"{history}/rundata$", run_data, False),
        ("POST", rf"^/metric/v2.0{arm}/runs/(?P<run>[^/]+)/full$", metric, False),
    ]
