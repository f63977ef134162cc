"""One corpus of good and bad scoring requests, generated from the housing data and the schema.

Good rows and batches (list rows and object rows), every field missing, every field of a wrong type,
NaN/Infinity text, lone surrogates and control characters in keys and values, huge numbers, empty
and non-JSON bodies, bodies that are not UTF-8, form and other content types, large bodies, wrong
methods and paths, swagger versions and request-id headers.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from training.schema import CATEGORICAL_COLUMN, FEATURE_COLUMNS, NUMERIC_COLUMNS


@dataclass(frozen=True)
class Request:
    """One request of the corpus, named for the failure report."""

    name: str
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _rows(housing: Path, count: int) -> list[list]:
    with housing.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = []
        for record in reader:
            values = [float(record[c]) if record[c] else None for c in NUMERIC_COLUMNS]
            rows.append([*values, record[CATEGORICAL_COLUMN]])
            if len(rows) == count:
                return rows
    return rows


def _post(name: str, payload, content_type: str = "application/json") -> Request:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Request(name, "POST", "/score", body, {"Content-Type": content_type})


def _record(row: list) -> dict:
    return dict(zip(FEATURE_COLUMNS, row, strict=True))


def _field_cases(row: list) -> list[Request]:
    cases = []
    for index, column in enumerate(FEATURE_COLUMNS):
        record = _record(row)
        del record[column]
        cases.append(_post(f"missing {column}", {"data": [record]}))
        cases.append(_post(f"short list row without {column}", {"data": [row[:index] + row[index + 1 :]]}))
        for label, wrong in (
            ("text", "abc"),
            ("bool", True),
            ("list", [1]),
            ("object", {"a": 1}),
            ("null", None),
        ):
            cases.append(_post(f"{column} as {label}", {"data": [{**_record(row), column: wrong}]}))
    for column in NUMERIC_COLUMNS:
        for literal in ("NaN", "Infinity", "-Infinity", "1e400", "-1e309", "1" + "0" * 400):
            record = json.dumps({"data": [{**_record(row), column: 0}]})
            body = record.replace(f'"{column}": 0', f'"{column}": {literal}')
            cases.append(_post(f"{column} = {literal[:12]}", body.encode()))
    return cases


def _hostile_cases(row: list) -> list[Request]:
    record = _record(row)
    cases = [
        _post("lone surrogate key", {"data": [{**record, "\ud800": 1}]}),
        _post("lone surrogate value", {"data": [{**record, CATEGORICAL_COLUMN: "\udfff"}]}),
        _post("lone surrogate in list row", {"data": [[*row[:-1], "\ud800"]]}),
        _post("surrogate as the body key", {"\ud800": [row]}),
        _post("control character key", {"data": [{**record, "\x00\x1f": 1}]}),
        _post("control character value", {"data": [{**record, CATEGORICAL_COLUMN: "NEAR\x00BAY"}]}),
        _post("unknown category", {"data": [{**record, CATEGORICAL_COLUMN: "ON THE MOON"}]}),
        _post("extra key", {"data": [{**record, "extra": 1}]}),
        _post("5000-digit integer", b'{"data": [[' + b"9" * 5000 + b"]]}"),
        _post("encoded surrogate bytes", b'{"data": [["\xed\xa0\x80"]]}'),
        _post("not UTF-8", b"\xff\xfe\x00"),
        _post("latin-1 text", '{"data": [["é"]]}'.encode("latin-1")),
        _post("deep nesting", b"[" * 100_000),
        _post("deep object nesting", b'{"a":' * 5000 + b"1" + b"}" * 5000),
        _post("NUL byte body", b"\x00"),
    ]
    for name, body in (
        ("empty body", b""),
        ("whitespace body", b"  \n"),
        ("null", b"null"),
        ("list", b"[]"),
        ("empty object", b"{}"),
        ("data null", b'{"data": null}'),
        ("data empty", b'{"data": []}'),
        ("data object", b'{"data": {}}'),
        ("data string", b'{"data": "rows"}'),
        ("data number", b'{"data": 1}'),
        ("rows of scalars", b'{"data": [1, 2]}'),
        ("rows of empty lists", b'{"data": [[]]}'),
        ("not JSON", b"hello"),
        ("truncated JSON", b'{"data": [[1, 2'),
        ("trailing garbage", b'{"data": []} x'),
        ("single quotes", b"{'data': []}"),
    ):
        cases.append(_post(name, body))
    return cases


def _content_type_cases(row: list) -> list[Request]:
    good = {"data": [row]}
    types = (
        "application/json",
        "application/json; charset=latin-1",
        "text/plain",
        "application/octet-stream",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "multipart/form-data",
        "",
    )
    cases = [_post(f"content type {kind!r}", good, kind) for kind in types]
    cases.append(Request("no content type", "POST", "/score", json.dumps(good).encode()))
    return cases


def _route_cases(row: list) -> list[Request]:
    query = "data=" + json.dumps([row], separators=(",", ":"))
    cases = [
        Request("liveness", "GET", "/"),
        Request("liveness HEAD", "HEAD", "/"),
        Request("POST /", "POST", "/", b"{}"),
        Request("OPTIONS /", "OPTIONS", "/"),
        Request("DELETE /", "DELETE", "/"),
        Request("GET /score without a query", "GET", "/score"),
        Request("GET /score with rows", "GET", f"/score?{query}"),
        Request("GET /score with repeated keys", "GET", "/score?data=1&data=x&other="),
        Request("HEAD /score", "HEAD", "/score"),
        Request("OPTIONS /score", "OPTIONS", "/score"),
        Request("POST /swagger.json", "POST", "/swagger.json", b"{}"),
        Request("OPTIONS /swagger.json", "OPTIONS", "/swagger.json"),
        Request("HEAD /swagger.json", "HEAD", "/swagger.json"),
        Request("static file", "GET", "/static/app.js"),
        Request("POST static file", "POST", "/static/app.js"),
    ]
    for method in ("PUT", "DELETE", "PATCH"):
        cases.append(Request(f"{method} /score", method, "/score", b"{}"))
    for path in (
        "/nowhere",
        "/score/",
        "/SCORE",
        "/score.json",
        "/swagger",
        "/static/",
        "/healthz",
        "/api/score",
    ):
        cases.append(Request(f"GET {path}", "GET", path))
        cases.append(Request(f"POST {path}", "POST", path, b"{}"))
    for version in (None, "2", "2.0", "3", "3.0", "3.1", "4", "abc", ""):
        suffix = "" if version is None else f"?version={version}"
        cases.append(Request(f"swagger {version}", "GET", f"/swagger.json{suffix}"))
    good = json.dumps({"data": [row]}).encode()
    for name, headers in (
        ("request id", {"x-request-id": "abc-123"}),
        ("long request id", {"x-request-id": "r" * 101}),
        ("client request id", {"x-ms-client-request-id": "client-1"}),
        ("legacy request id", {"x-ms-request-id": "legacy-1"}),
        ("both client ids", {"x-ms-request-id": "legacy-2", "x-ms-client-request-id": "client-2"}),
        ("long client request id", {"x-ms-client-request-id": "c" * 101}),
        ("long legacy request id", {"x-ms-request-id": "l" * 101}),
        ("trace id", {"TraceId": "trace-1"}),
    ):
        cases.append(Request(name, "POST", "/score", good, {"Content-Type": "application/json", **headers}))
    cases.append(Request("long request id on liveness", "GET", "/", None, {"x-request-id": "r" * 101}))
    return cases + _limit_cases(row)


def _limit_cases(row: list) -> list[Request]:
    """gunicorn's limits in front of Azure's server: request line, header count and header size."""
    cases = []
    for length in (4094, 4095, 6000):  # the request line's length: "GET /score?q=... HTTP/1.1"
        query = "q=" + "a" * (length - len("GET /score?q= HTTP/1.1"))
        cases.append(Request(f"request line of {length}", "GET", f"/score?{query}"))
    cases.append(Request("path of 5000", "GET", "/" + "p" * 5000))
    good = json.dumps({"data": [row]}).encode()
    for count in (90, 96, 120):  # httpx adds five or six of its own
        headers = {f"X-Extra-{i}": "1" for i in range(count)}
        cases.append(Request(f"{count} extra headers", "POST", "/score", good, headers))
    for size in (8180, 8186, 8187, 9000):  # the line "X-Big: aaa..." with its CRLF
        headers = {"X-Big": "a" * (size - len("X-Big: \r\n"))}
        cases.append(Request(f"header line of {size}", "POST", "/score", good, headers))
    return cases


def corpus(housing: Path) -> list[Request]:
    """Every request, in a fixed order."""
    rows = _rows(housing, 1200)
    cases = [_post(f"list row {i}", {"data": [row]}) for i, row in enumerate(rows[:30])]
    cases += [_post(f"object row {i}", {"data": [_record(row)]}) for i, row in enumerate(rows[30:60])]
    cases += [_post(f"batch of {n}", {"data": rows[:n]}) for n in (2, 10, 100, 1200)]
    cases.append(_post("mixed batch", {"data": [rows[0], _record(rows[1]), rows[2]]}))
    cases.append(_post("batch with one bad row", {"data": [rows[0], [*rows[1][:-1], 5]]}))
    cases.append(_post("2 MB batch", {"data": rows * 20}))
    cases.append(_post("1 MB of padding", b" " * 1_000_000 + json.dumps({"data": [rows[0]]}).encode()))
    cases += _field_cases(rows[0])
    cases += _hostile_cases(rows[0])
    cases += _content_type_cases(rows[0])
    cases += _route_cases(rows[0])
    return cases
