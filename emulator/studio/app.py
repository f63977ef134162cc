"""The studio's HTTP app: JSON endpoints over the workspace store, the page, and run files.

Everything but Promote and Cancel only reads. Those two writes accept JSON from the studio's own
page only: same Origin, and the token the page carries (see ``_guard``), so neither a web page open
elsewhere in the same browser nor a run file opened at a studio address can drive them. Requests
must address the loopback host by name or number, so a page whose domain is re-pointed at 127.0.0.1
(DNS rebinding) cannot read the workspace either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.middleware.trustedhost import TrustedHostMiddleware

from emulator.core import Workspace

from . import _guard, actions, registry, runs
from .runs import RunNotFound

STATIC = Path(__file__).parent / "static"
# Installed by `make setup` from the npm registry (see the Makefile); the page says when it is missing.
CHART_LIBRARY = STATIC / "vendor" / "chart.umd.min.js"


class PromoteRequest(BaseModel):
    model_name: str = Field(min_length=1, max_length=255)
    model_path: str = Field(min_length=1)
    tags: dict[str, str] | None = None


def _json(data, status_code: int = 200) -> Response:
    # orjson writes NaN as null, which the browser's JSON.parse accepts (the json module's NaN it does not).
    return Response(orjson.dumps(data), status_code=status_code, media_type="application/json")


def create_app(workspace: Workspace) -> FastAPI:
    """The studio over ``workspace``; serve it with :func:`emulator.studio.serve` (127.0.0.1 only)."""
    store = workspace._store
    app = FastAPI(title=f"studio · {workspace.name}", docs_url=None, redoc_url=None)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost"])
    app.add_middleware(_guard.SecurityHeaders)
    token = _guard.new_token()

    def studio_page_only(request: Request) -> None:
        _guard.check_write(request, token)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(RunNotFound)
    def _not_found(request: Request, error: RunNotFound):
        return _json({"detail": str(error)}, 404)

    @app.exception_handler(actions.ActionRefused)
    def _refused(request: Request, error: actions.ActionRefused):
        return _json({"detail": str(error)}, error.status_code)

    @app.get("/", include_in_schema=False)
    def page():
        return _guard.page_response(STATIC / "index.html", token)

    @app.get("/api/workspace")
    def workspace_summary():
        return _json(
            {
                "name": workspace.name,
                "experiments": runs.experiments(store),
                "chart_library": CHART_LIBRARY.is_file(),
            }
        )

    @app.get("/api/runs")
    def run_list(experiment: str | None = None):
        from emulator.core._reaper import _reap_dead_runs

        _reap_dead_runs(store)  # a run whose process died shows as Failed, as on any other look
        return _json(runs.list_runs(store, experiment))

    @app.get("/api/runs/{run_id}")
    def run_page(run_id: str):
        return _json(runs.run_detail(store, run_id))

    @app.get("/api/runs/{run_id}/files/{name:path}")
    def run_file(run_id: str, name: str, download: bool = False):
        runs.get_record(store, run_id)
        if name not in {a["name"] for a in store.list_artifacts(run_id)}:
            raise HTTPException(404, f"run {run_id} has no file {name!r}")
        return _guard.file_response(store.artifact_path(run_id, name), name, download)

    @app.get("/api/metric-names")
    def metric_names(experiment: str | None = None):
        return _json(runs.metric_names(store, experiment))

    @app.get("/api/metric")
    def metric(name: str, experiment: str | None = None, parent: str | None = None):
        if parent is not None:
            runs.get_record(store, parent)
        return _json(runs.metric_across_runs(store, name, experiment, parent))

    @app.get("/api/compare")
    def compare(ids: Annotated[list[str], Query(min_length=1)]):
        run_ids = [i for value in ids for i in value.split(",") if i]
        if len(run_ids) < 2:
            raise HTTPException(400, "compare needs at least two run ids")
        return _json(runs.compare(store, run_ids))

    @app.get("/api/models")
    def model_list():
        return _json(registry.models(store))

    @app.get("/api/services")
    def service_list():
        return _json(registry.services(store))

    @app.post("/api/runs/{run_id}/promote", dependencies=[Depends(studio_page_only)])
    def promote(run_id: str, body: PromoteRequest):
        return _json(actions.promote(workspace, run_id, body.model_name, body.model_path, body.tags))

    @app.post("/api/runs/{run_id}/cancel", dependencies=[Depends(studio_page_only)])
    def cancel(run_id: str):
        return _json(actions.cancel(workspace, run_id))

    return app
