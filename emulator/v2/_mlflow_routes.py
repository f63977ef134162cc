"""The MLflow tracking REST API (``/api/2.0/mlflow/...``) over the workspace store, under the path
Azure serves it at (``/mlflow/v1.0/<workspace ARM id>``). An MLflow run is a v1 run of the same id:
its metrics are the run's metrics, its tags the run's tags, its params the run's properties (set
once, as both APIs require), its artifacts the run's files, so either SDK reads what the other wrote.
"""

from __future__ import annotations

import re
import time

from ..store.base import Metric

_STATUS_TO_MLFLOW = {"Completed": "FINISHED", "Failed": "FAILED", "Canceled": "KILLED"}
_STATUS_FROM_MLFLOW = {
    "FINISHED": "Completed",
    "FAILED": "Failed",
    "KILLED": "Canceled",
    "RUNNING": "Running",
}
_PARAM = "mlflow.param."


def _missing(what: str) -> tuple:
    return 404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"{what} does not exist"}, {}


def _invalid(message: str) -> tuple:
    return 400, {"error_code": "INVALID_PARAMETER_VALUE", "message": message}, {}


def _ms(seconds: float | None) -> int | None:
    return int(seconds * 1000) if seconds else None


def routes(surface) -> list:
    """(method, pattern, handler, public) for the MLflow tracking API."""
    store = surface.store
    root = rf"^/mlflow/v1.0{re.escape(surface.arm)}/api/2.0"
    base = f"{root}/mlflow"

    def experiment_json(record: dict) -> dict:
        return {
            "experiment_id": record["name"],
            "name": record["name"],
            "artifact_location": f"mlflow-artifacts:/{record['name']}",
            "lifecycle_stage": "deleted" if record.get("archived") else "active",
            "tags": [{"key": k, "value": str(v)} for k, v in (record.get("tags") or {}).items()],
        }

    def run_json(record: dict) -> dict:
        rows = store.get_metrics([record["run_id"]])
        latest: dict[str, dict] = {}
        for row in rows:
            if isinstance(row["value"], int | float) and not isinstance(row["value"], bool):
                latest[row["name"]] = {
                    "key": row["name"],
                    "value": float(row["value"]),
                    "timestamp": _ms(row["time"]),
                    "step": row["step"] or 0,
                }
        properties = record.get("properties") or {}
        return {
            "info": {
                "run_id": record["run_id"],
                "run_uuid": record["run_id"],
                "run_name": record.get("display_name") or record["run_id"],
                "experiment_id": record["experiment"],
                "status": _STATUS_TO_MLFLOW.get(record["status"], "RUNNING"),
                "start_time": _ms(record.get("start_time") or record.get("created")),
                "end_time": _ms(record.get("end_time")),
                "artifact_uri": f"mlflow-artifacts:/{record['run_id']}/artifacts",
                "lifecycle_stage": "active",
            },
            "data": {
                "metrics": list(latest.values()),
                "params": [
                    {"key": k.removeprefix(_PARAM), "value": v}
                    for k, v in properties.items()
                    if k.startswith(_PARAM)
                ],
                "tags": [{"key": k, "value": str(v)} for k, v in (record.get("tags") or {}).items()],
            },
        }

    def get_by_name(match, body, query, headers):
        record = store.get_experiment(query.get("experiment_name", ""))
        return (200, {"experiment": experiment_json(record)}, {}) if record else _missing("Experiment")

    def get_experiment(match, body, query, headers):
        record = store.get_experiment(query.get("experiment_id", ""))
        return (200, {"experiment": experiment_json(record)}, {}) if record else _missing("Experiment")

    def create_experiment(match, body, query, headers):
        if store.get_experiment(body["name"]):
            return (
                400,
                {
                    "error_code": "RESOURCE_ALREADY_EXISTS",
                    "message": f"Experiment {body['name']} already exists",
                },
                {},
            )
        return 200, {"experiment_id": store.create_experiment(body["name"])["name"]}, {}

    def create_run(match, body, query, headers):
        from ..core import Experiment, Run

        if not store.get_experiment(body.get("experiment_id") or "Default") and body.get("experiment_id"):
            return _missing(f"Experiment {body['experiment_id']}")
        experiment = Experiment(surface.workspace, body.get("experiment_id") or "Default")
        tags = {tag["key"]: tag["value"] for tag in body.get("tags") or []}
        run = Run._create(
            experiment, run_type="mlflow", status="Running", tags=tags, display_name=body.get("run_name")
        )
        return 200, {"run": run_json(store.get_run(run.id))}, {}

    def get_run(match, body, query, headers):
        record = store.get_run(query.get("run_id") or query.get("run_uuid") or "")
        return (200, {"run": run_json(record)}, {}) if record else _missing("Run")

    def update_run(match, body, query, headers):
        record = store.get_run(body.get("run_id") or body.get("run_uuid") or "")
        if record is None:
            return _missing("Run")
        fields = {"display_name": body["run_name"]} if body.get("run_name") else {}
        # A job's run ends when its process ends (the runner decides); an MLflow-made run when told.
        if record["type"] == "mlflow" and body.get("status") in _STATUS_FROM_MLFLOW:
            fields["status"] = _STATUS_FROM_MLFLOW[body["status"]]
            if fields["status"] != "Running":
                fields["end_time"] = (body.get("end_time") or time.time() * 1000) / 1000
        if fields:
            store.update_run(record["run_id"], fields)
        return 200, {"run_info": run_json(store.get_run(record["run_id"]))["info"]}, {}

    def log_batch(match, body, query, headers):
        run_id = body.get("run_id") or body.get("run_uuid") or ""
        record = store.get_run(run_id)
        if record is None:
            return _missing("Run")
        metrics = [
            Metric(m["key"], float(m["value"]), step=int(m.get("step") or 0), time=int(m["timestamp"]) / 1000)
            for m in body.get("metrics") or []
        ]
        properties = record.get("properties") or {}
        params = {}
        for param in body.get("params") or []:
            key = f"{_PARAM}{param['key']}"
            if key in properties and properties[key] != str(param["value"]):
                return _invalid(
                    f"Changing param values is not allowed. Param with key='{param['key']}' was already logged"
                )
            params[key] = str(param["value"])
        tags = {tag["key"]: str(tag["value"]) for tag in body.get("tags") or []}
        store.log_batch(run_id, metrics, tags=tags or None, properties=params or None)
        return 200, {}, {}

    def log_metric(match, body, query, headers):
        metric = {k: body[k] for k in ("key", "value", "timestamp") if k in body} | {
            "step": body.get("step", 0)
        }
        metric.setdefault("timestamp", time.time() * 1000)
        return log_batch(
            match, {"run_id": body.get("run_id") or body.get("run_uuid"), "metrics": [metric]}, query, headers
        )

    def log_param(match, body, query, headers):
        param = {"key": body["key"], "value": body["value"]}
        return log_batch(
            match, {"run_id": body.get("run_id") or body.get("run_uuid"), "params": [param]}, query, headers
        )

    def set_tag(match, body, query, headers):
        tag = {"key": body["key"], "value": body["value"]}
        return log_batch(
            match, {"run_id": body.get("run_id") or body.get("run_uuid"), "tags": [tag]}, query, headers
        )

    def history(match, body, query, headers):
        run_id, key = query.get("run_id") or query.get("run_uuid") or "", query.get("metric_key", "")
        if store.get_run(run_id) is None:
            return _missing("Run")
        rows = store.get_metrics([run_id], key)
        metrics = [
            {"key": key, "value": float(r["value"]), "timestamp": _ms(r["time"]), "step": r["step"] or 0}
            for r in rows
            if isinstance(r["value"], int | float)
        ]
        return 200, {"metrics": metrics}, {}

    def search(match, body, query, headers):
        runs = []
        for experiment in body.get("experiment_ids") or []:
            runs += [run_json(r) for r in store.search_runs(experiment=experiment)]
        return 200, {"runs": runs[: int(body.get("max_results") or 1000)]}, {}

    def _artifact_target(match):
        run_id, _, path = match["path"].partition("/artifacts/")
        return (
            (run_id, path, store.artifact_path(run_id, path)) if store.get_run(run_id) else (None, path, None)
        )

    def put_artifact(match, body, query, headers):
        run_id, path, target = _artifact_target(match)
        if target is None:
            return _missing("Run")
        data = body or b""
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        store.add_artifacts(run_id, [(path, len(data))])
        return 200, {}, {}

    def get_artifact(match, body, query, headers):
        _, path, target = _artifact_target(match)
        if target is None or not target.is_file():
            return _missing(f"Artifact {path}")
        return 200, target.read_bytes(), {}

    return [
        ("GET", rf"{base}/experiments/get-by-name$", get_by_name, False),
        ("GET", rf"{base}/experiments/get$", get_experiment, False),
        ("POST", rf"{base}/experiments/create$", create_experiment, False),
        ("POST", rf"{base}/runs/create$", create_run, False),
        ("GET", rf"{base}/runs/get$", get_run, False),
        ("POST", rf"{base}/runs/update$", update_run, False),
        ("POST", rf"{base}/runs/log-batch$", log_batch, False),
        ("POST", rf"{base}/runs/log-metric$", log_metric, False),
        ("POST", rf"{base}/runs/log-parameter$", log_param, False),
        ("POST", rf"{base}/runs/set-tag$", set_tag, False),
        ("GET", rf"{base}/metrics/get-history$", history, False),
        ("POST", rf"{base}/runs/search$", search, False),
        ("PUT", rf"{root}/mlflow-artifacts/artifacts/(?P<path>.+)$", put_artifact, False),
        ("GET", rf"{root}/mlflow-artifacts/artifacts/(?P<path>.+)$", get_artifact, False),
    ]
