"""The service's swagger documents: Azure's generated ones, or the user's file from the app root."""

from __future__ import annotations

import json

import pytest

from emulator.serving.swagger import Swagger, SwaggerVersionError


def test_generated_documents_follow_the_service_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVICE_NAME", "housing")
    monkeypatch.setenv("SERVICE_PATH_PREFIX", "/api/")
    swagger = Swagger(tmp_path)
    v2 = json.loads(swagger.body(None))
    assert v2["info"]["title"] == "housing" and "/api/score" in v2["paths"]
    assert json.loads(swagger.body("3.1"))["openapi"] == "3.1.0"
    assert swagger.body("2.0") == swagger.body("2")


def test_a_swagger_file_in_the_app_root_replaces_the_generated_one(tmp_path):
    (tmp_path / "swagger.json").write_text('{"swagger": "2.0", "info": {"title": "mine"}}')
    swagger = Swagger(tmp_path)
    assert json.loads(swagger.body("2"))["info"]["title"] == "mine"
    assert json.loads(swagger.body("3"))["openapi"] == "3.0.3"  # version 3 reads swagger3.json only


def test_an_unknown_version_names_the_supported_ones(tmp_path):
    with pytest.raises(SwaggerVersionError, match=r"Supported versions: \[2, 3, 3.1\]"):
        Swagger(tmp_path).body("4")
