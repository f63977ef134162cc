"""Azure's scoring contract as pure rules (the conformance test checks them against azmlinfsrv itself)."""

from __future__ import annotations

import json

import pytest

from emulator.serving import contract
from emulator.serving.aml_response import AMLResponse


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (b"application/json", '{"data": []}'),
        (None, '{"data": []}'),
        (b"application/x-www-form-urlencoded", ""),
        (b"multipart/form-data; boundary=xyz", ""),
        (b"multipart/form-data", '{"data": []}'),  # no boundary: Werkzeug cannot parse it and keeps it
    ],
)
def test_a_form_content_type_hands_run_an_empty_body(content_type, expected):
    assert contract.post_input(content_type, b'{"data": []}') == expected


def test_a_body_that_is_not_utf8_is_a_400_quoting_the_codec():
    answer = contract.post_input(b"application/json", b"\xff")
    assert answer.status == 400
    assert json.loads(answer.body)["message"].startswith("Input cannot be decoded as UTF-8: 'utf-8' codec")


def test_get_parameters_become_a_json_object():
    text = contract.get_input(b"a=1&b=[1,2]&a=x&c=text&d=")
    assert json.loads(text) == {"a": [1, "x"], "b": [1, 2], "c": "text", "d": ""}


def test_request_ids_are_echoed_and_an_overlong_one_is_431():
    echoed, refusal = contract.request_ids({b"x-ms-client-request-id": b"client"})
    assert refusal is None and dict(echoed)[b"x-ms-request-id"] == b"client"
    _, refusal = contract.request_ids({b"x-request-id": b"r" * 101})
    assert refusal.status == 431


def test_routes_other_methods_and_paths_are_flasks_404_and_405():
    assert contract.route("/score", "POST") == "/score"
    assert contract.route("/score", "PUT").status == 405
    assert json.loads(contract.route("/nowhere", "GET").body)["message"] == contract.NOT_FOUND


def test_an_amlresponse_with_5xx_is_marked_as_a_failed_run():
    answer = contract.answer_of(AMLResponse({"message": "busy"}, 503, json_str=True))
    assert answer.status == 503 and (b"x-ms-run-function-failed", b"True") in answer.headers
    assert contract.answer_of(None).body == b"{}"
    assert contract.answer_of({"x": float("nan")}).body == b'{"x": NaN}'


def _scope(path: str, query: bytes = b"", headers: list | None = None) -> dict:
    return {
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": headers or [],
    }


def test_gunicorns_limits_refuse_long_request_lines_and_headers():
    assert contract.gunicorn_refusal(_scope("/score", b"q=" + b"a" * 4072)) is None  # a line of 4094
    assert contract.gunicorn_refusal(_scope("/score", b"q=" + b"a" * 4073)).status == 414
    assert contract.gunicorn_refusal(_scope("/", headers=[(b"x", b"1")] * 101)).status == 431
    assert contract.gunicorn_refusal(_scope("/", headers=[(b"x-big", b"a" * 8190)])).status == 431
