"""The service's swagger document (OpenAPI 2.0, the version Azure ML's scoring endpoints serve)."""

from __future__ import annotations

from typing import Any


def swagger_document(
    title: str, input_example: Any | None, output_example: Any | None, auth: bool
) -> dict[str, Any]:
    """Describe ``GET /`` and ``POST /score``, with the entry script's example request and its answer."""
    request_schema: dict[str, Any] = {"type": "object", "properties": {"data": {"type": "array"}}}
    response_schema: dict[str, Any] = {"type": "object"}
    if input_example is not None:
        request_schema["example"] = input_example
    if output_example is not None:
        response_schema["example"] = output_example
    score: dict[str, Any] = {
        "operationId": "RunMLService",
        "description": "Run the model on the rows in 'data'",
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "parameters": [
            {"name": "serviceInputPayload", "in": "body", "required": True, "schema": request_schema}
        ],
        "responses": {
            "200": {"description": "Predictions", "schema": response_schema},
            "400": {"description": "The input does not match the schema; the message names the problem"},
            "401": {"description": "Missing or invalid key"},
            "413": {"description": "The request body is too large"},
        },
    }
    document: dict[str, Any] = {
        "swagger": "2.0",
        "info": {"title": title, "description": "Azure ML scoring service (emulated)", "version": "1.0"},
        "schemes": ["http"],
        "paths": {
            "/": {
                "get": {
                    "operationId": "ServiceHealthCheck",
                    "description": "Liveness",
                    "responses": {"200": {"description": "Healthy"}},
                }
            },
            "/score": {"post": score},
        },
    }
    if auth:
        document["securityDefinitions"] = {
            "Bearer": {"type": "apiKey", "name": "Authorization", "in": "header"}
        }
        score["security"] = [{"Bearer": []}]
    return document
