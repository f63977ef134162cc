"""Every route of the v2 surface, in one table."""

from __future__ import annotations

from . import _asset_routes, _endpoint_routes, _job_routes, _meta_routes, _mlflow_routes


def table(surface) -> list:
    """(method, path pattern, handler(match, body, query, headers), public) for ``surface``."""
    return [
        *_meta_routes.routes(surface),
        *_asset_routes.routes(surface),
        *_job_routes.routes(surface),
        *_endpoint_routes.routes(surface),
        *_mlflow_routes.routes(surface),
    ]
