"""The service's ``/swagger.json``, the documents ``azmlinfsrv`` 1.5.1 serves for an entry script.

Azure's server fills its templates (``server/swagger2_template.json``, ``swagger3_template.json``)
with ``SERVICE_NAME``, ``SERVICE_VERSION`` and ``SERVICE_PATH_PREFIX``; an undecorated ``run()``
gets ``{"type": "object", "example": {}}`` as its input and output schema. A ``swagger.json`` or
``swagger2.json`` (version 2), ``swagger3.json`` or ``swagger3.1.json`` in the app root replaces the
generated document. ``?version=`` picks one: 2 (the default), 3 or 3.1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SUPPORTED = ("2", "3", "3.1")
_ALIASES = {"2": "2", "2.0": "2", "3": "3", "3.0": "3", "3.1": "3.1"}
_USER_FILES = {"2": ("swagger.json", "swagger2.json"), "3": ("swagger3.json",), "3.1": ("swagger3.1.json",)}
_FAILED = "The service failed to execute due to an error."
_HEALTH = "If service is up and running, this response will be returned with the content 'Healthy'"
_PAYLOAD = "The input payload for executing the real-time machine learning service."
_SCORED = "The service processed the input correctly and provided a result prediction, if applicable."
_BEARER = {
    "type": "apiKey",
    "name": "Authorization",
    "in": "header",
    "description": "For example: Bearer abc123",
}
_ERROR = {"type": "object", "properties": {"message": {"type": "string"}}}


class SwaggerVersionError(LookupError):
    """A ``?version=`` the server does not serve (Azure answers it with 404 and this message)."""


def _paths(prefix: str, v2: bool) -> dict[str, Any]:
    ref = "#/definitions/" if v2 else "#/components/schemas/"

    def body(media: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"schema": schema} if v2 else {"content": {media: {"schema": schema}}}

    failed = {"description": _FAILED, **body("application/json", {"$ref": ref + "ErrorResponse"})}
    healthy = {"description": _HEALTH}
    if v2:
        healthy |= {"schema": {"type": "string"}, "examples": {"application/json": "Healthy"}}
    else:
        healthy |= body("text/plain", {"type": "string", "example": "Healthy"})
    payload: dict[str, Any] = {
        "description": _PAYLOAD,
        **body("application/json", {"$ref": ref + "ServiceInput"}),
    }
    version: dict[str, Any] = {"name": "version", "in": "query", "required": False}
    version |= {"type": "integer", "enum": [2, 3]} if v2 else {"schema": {"type": "integer", "enum": [2, 3]}}
    score: dict[str, Any] = {
        "operationId": "RunMLService",
        "description": "Run web service's model and get the prediction output",
        "security": [{"Bearer": []}],
    }
    if v2:
        score["parameters"] = [{"name": "serviceInputPayload", "in": "body", **payload}]
    else:
        score["requestBody"] = payload
    score["responses"] = {
        "200": {"description": _SCORED, **body("application/json", {"$ref": ref + "ServiceOutput"})},
        "default": failed,
    }
    spec = {"description": "The Swagger specification.", **body("text/plain", {"type": "string"})}
    return {
        f"{prefix}/": {
            "get": {
                "operationId": "ServiceHealthCheck",
                "description": "Simple health check endpoint to ensure the service is up at any given point.",
                "responses": {"200": healthy, "default": failed},
            }
        },
        f"{prefix}/score": {"post": score},
        f"{prefix}/swagger.json": {
            "get": {
                "operationId": "GetSwaggerSpec",
                "description": "Get the Swagger specification.",
                "parameters": [version],
                "responses": {"200": spec, "default": failed},
            }
        },
    }


def generated_document(version: str) -> dict[str, Any]:
    """Azure's generated document for an undecorated ``run()``, in swagger ``version`` (2, 3 or 3.1)."""
    name = os.environ.get("SERVICE_NAME", "ML service")
    prefix = os.environ.get("SERVICE_PATH_PREFIX", "")
    prefix = f"/{prefix.strip('/')}" if prefix else ""
    info = {
        "title": name,
        "description": f"API specification for the Azure Machine Learning service {name}",
        "version": os.environ.get("SERVICE_VERSION", "1.0"),
    }
    schemas = {
        "ServiceInput": {"type": "object", "example": {}},
        "ServiceOutput": {"type": "object", "example": {}},
    }
    if version == "2":
        return {
            "swagger": "2.0",
            "info": info,
            "schemes": ["https"],
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "securityDefinitions": {"Bearer": _BEARER},
            "paths": _paths(prefix, v2=True),
            "definitions": {**schemas, "ErrorResponse": _ERROR},
        }
    return {
        "openapi": "3.1.0" if version == "3.1" else "3.0.3",
        "info": info,
        "security": [{"Bearer": []}],
        "paths": _paths(prefix, v2=False),
        "components": {
            "schemas": {**schemas, "ErrorResponse": _ERROR},
            "securitySchemes": {"Bearer": _BEARER},
        },
    }


class Swagger:
    """The documents one service serves, built (or read from the app root) once at start."""

    def __init__(self, app_root: Path) -> None:
        self._bodies: dict[str, bytes] = {}
        for version in SUPPORTED:
            found = [app_root / name for name in _USER_FILES[version] if (app_root / name).is_file()]
            document = json.loads(found[0].read_text("utf-8")) if found else generated_document(version)
            self._bodies[version] = json.dumps(document).encode("utf-8")

    def body(self, version: str | None) -> bytes:
        """The JSON text for ``?version=`` (2 when absent).

        Raises:
            SwaggerVersionError: for a version the server does not serve.
        """
        key = _ALIASES.get("2" if version is None else version)
        if key is None:
            raise SwaggerVersionError(
                f"Swagger version [{version}] is not valid. Supported versions: [{', '.join(SUPPORTED)}]."
            )
        return self._bodies[key]
