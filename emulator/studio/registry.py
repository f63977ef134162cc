"""The studio's model registry and services pages: versions with their lineage, services without keys."""

from __future__ import annotations

from emulator.store import AbstractStore

from ._records import redact

# The comparison flow marks the model version it ships with this tag (tasks/ship.py writes it).
CHAMPION_TAG = "champion"


def models(store: AbstractStore) -> list[dict]:
    """Every model version, newest first, with the run and datasets it came from."""
    rows = []
    for record in store.list_models():
        tags = redact(record.get("tags") or {})
        run = store.get_run(record["run_id"]) if record.get("run_id") else None
        rows.append(
            {
                "name": record["name"],
                "version": record["version"],
                "created": record["created"],
                "framework": record.get("framework"),
                "framework_version": record.get("framework_version"),
                "description": record.get("description"),
                "tags": tags,
                "properties": redact(record.get("properties") or {}),
                "champion": str(tags.get(CHAMPION_TAG, "")).lower() == "true",
                "run_id": record.get("run_id"),
                "run_status": run["status"] if run else None,
                "experiment": record.get("experiment_name"),
                "datasets": record.get("datasets") or {},
                "path": record.get("path"),
            }
        )
    return rows


def services(store: AbstractStore) -> list[dict]:
    """Deployed scoring services as last recorded: state and URIs; keys live in a file never read here."""
    return [
        {
            "name": s["name"],
            "compute_type": s.get("computeType"),
            "state": s.get("state"),
            "scoring_uri": s.get("scoringUri"),
            "swagger_uri": s.get("swaggerUri"),
            "auth_enabled": bool(s.get("authEnabled")),
            "models": [
                f"{m.get('name')}:{m.get('version')}" if isinstance(m, dict) else str(m)
                for m in s.get("models", [])
            ],
            "tags": redact(s.get("tags") or {}),
            "updated": s.get("updatedTime"),
        }
        for s in store.list_assets("webservice")
    ]
