"""Azure's scoring contract, as ``azmlinfsrv`` (``azureml-inference-server-http`` 1.5.1) keeps it.

Read from its source (``server/routes.py``, ``input_parsers.py``, ``create_app.py``) and pinned by
``tests/conformance/test_scoring_server.py``, which sends one corpus to both servers:

* routes: ``GET /`` (``Healthy``), ``GET /swagger.json`` and ``/score`` (GET, POST, OPTIONS);
  anything else is Flask's 404 or 405 with ``{"message": <Werkzeug's description>}``;
* ``POST /score`` hands the body, decoded as UTF-8, to ``run()``; a form content type hands it
  ``""`` (Flask's form parser has consumed the stream); ``GET /score`` hands it the query
  parameters as a JSON object; a body that is not UTF-8 is a 400;
* ``run()`` raising is a 500 with Azure's fixed message; its result is sent with ``json.dumps``
  (``NaN`` stays ``NaN``) unless it is an ``AMLResponse``, which is sent as it is;
* request ids: ``x-request-id`` (a fresh uuid when absent), ``x-ms-request-id`` and
  ``x-ms-client-request-id`` are echoed; one over 100 characters is a 431;
* gunicorn's limits in front of it (its defaults, which ``azmlinfsrv`` keeps): a request line over
  4094 bytes is a 414, more than 100 header fields or one over 8190 bytes a 431, each with gunicorn's
  HTML page. Azure's server sets no limit on the body.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from .aml_response import AMLResponse

SCRIPT_FAILED = "An unexpected error occurred in scoring script. Check the logs for more info."
INTERNAL_ERROR = "An unexpected internal error occurred. Check the logs for more info."
NOT_FOUND = (
    "The requested URL was not found on the server. If you entered the URL manually please check your "
    "spelling and try again."
)
METHOD_NOT_ALLOWED = "The method is not allowed for the requested URL."
HEADER_LIMIT = 100
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_ROUTE_METHODS = {
    "/": ("GET", "HEAD", "OPTIONS"),
    "/swagger.json": ("GET", "HEAD", "OPTIONS"),
    "/score": ("GET", "HEAD", "POST", "OPTIONS"),
}

Headers = list[tuple[bytes, bytes]]
HTML = b"text/html; charset=utf-8"  # Flask's default, which Azure's plain answers carry


@dataclass(frozen=True)
class Answer:
    """One response: status, body and headers (content type included)."""

    status: int
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]


EMPTY = Answer(200, b"", ((b"content-type", HTML),))  # Flask's automatic answer to OPTIONS


REQUEST_LINE_LIMIT = 4094
FIELDS_LIMIT = 100
FIELD_SIZE_LIMIT = 8190


def _gunicorn_page(status: int, reason: str, detail: str) -> Answer:
    body = (
        f"<html>\n  <head>\n    <title>{reason}</title>\n  </head>\n  <body>\n"
        f"    <h1><p>{reason}</p></h1>\n    {detail}\n  </body>\n</html>\n"
    )
    return Answer(status, body.encode(), ((b"content-type", b"text/html"), (b"connection", b"close")))


def gunicorn_refusal(scope: dict[str, Any]) -> Answer | None:
    """gunicorn's answer to a request line or header fields over its limits, else ``None``."""
    target = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string", b"")
    line = len(scope["method"]) + len(target) + (len(query) + 1 if query else 0) + len(" HTTP/1.1") + 1
    if line > REQUEST_LINE_LIMIT:
        return _gunicorn_page(
            414, "URI Too Long", f"Request Line is too large ({line} &gt; {REQUEST_LINE_LIMIT})"
        )
    headers = scope["headers"]
    if len(headers) > FIELDS_LIMIT:
        return _gunicorn_page(
            431,
            "Request Header Fields Too Large",
            "Error parsing headers: &#x27;limit request headers fields&#x27;",
        )
    # a field counts as "Name: value" and its line end
    if any(len(name) + len(value) + 4 > FIELD_SIZE_LIMIT for name, value in headers):
        return _gunicorn_page(
            431,
            "Request Header Fields Too Large",
            "Error parsing headers: &#x27;limit request headers fields size&#x27;",
        )
    return None


def from_response(response: Any) -> Answer:
    """An ``AMLResponse`` (or anything with its ``status_code``, ``headers``, ``get_data()``) as sent."""
    headers = tuple(
        (str(name).encode("latin-1"), str(value).encode("latin-1")) for name, value in response.headers
    )
    return Answer(int(response.status_code), response.get_data(), headers)


def message(status: int, text: str, run_function_failed: bool = False) -> Answer:
    """Azure's ``ErrorResponse``: ``{"message": text}``."""
    return from_response(
        AMLResponse({"message": text}, status, json_str=True, run_function_failed=run_function_failed)
    )


def route(path: str, method: str) -> str | Answer:
    """The route a request reaches (``/``, ``/swagger.json``, ``/score``, or ``options`` for Flask's
    automatic OPTIONS), or Flask's own 404/405 for the others."""
    if path.startswith("/static/") and len(path) > len("/static/"):  # Flask's static route, no folder
        if method == "OPTIONS":
            return EMPTY
        return message(404, NOT_FOUND) if method in ("GET", "HEAD") else message(405, METHOD_NOT_ALLOWED)
    allowed = _ROUTE_METHODS.get(path)
    if allowed is None:
        return message(404, NOT_FOUND)
    if method not in allowed:
        return message(405, METHOD_NOT_ALLOWED)
    if method == "OPTIONS" and path != "/score":
        return "options"
    return path


def request_ids(headers: dict[bytes, bytes]) -> tuple[Headers, Answer | None]:
    """The request-id headers to echo, and the 431 when an id is too long."""
    request_id = _header(headers, b"x-request-id", str(uuid.uuid4()))
    if len(request_id) > HEADER_LIMIT:
        return [], message(431, f"x-request-id must not exceed {HEADER_LIMIT} characters")
    echoed: Headers = [(b"x-request-id", request_id.encode("latin-1"))] if request_id else []
    legacy = _header(headers, b"x-ms-request-id", "")
    client = _header(headers, b"x-ms-client-request-id", "")
    if legacy:
        client = client or legacy
    else:
        legacy = client or request_id
    if len(legacy) > HEADER_LIMIT or len(client) > HEADER_LIMIT:
        refusal = f"x-ms-request-id and x-ms-client-request-id must not exceed {HEADER_LIMIT} characters"
        return echoed, message(431, refusal)
    if legacy:
        echoed.append((b"x-ms-request-id", legacy.encode("latin-1")))
    if client:
        echoed.append((b"x-ms-client-request-id", client.encode("latin-1")))
    if b"traceid" in headers:
        echoed.append((b"TraceId", headers[b"traceid"]))
    return echoed, None


def _header(headers: dict[bytes, bytes], name: bytes, default: str) -> str:
    value = headers.get(name)
    return default if value is None else value.decode("latin-1")


def get_input(query_string: bytes) -> str:
    """``run()``'s input for ``GET /score``: each parameter parsed as JSON where it parses, a repeated
    one as a list, the whole object as JSON text."""
    values: dict[str, list[str]] = {}
    for key, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="utf-8"):
        values.setdefault(key, []).append(value)
    parsed = {
        key: _parse(found[0]) if len(found) == 1 else [_parse(v) for v in found]
        for key, found in values.items()
    }
    return json.dumps(parsed)


def _parse(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def post_input(content_type: bytes | None, raw: bytes) -> str | Answer:
    """``run()``'s input for ``POST /score``, or the 400 for a body that is not UTF-8."""
    if _form_parsed(content_type):
        return ""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return message(400, f"Input cannot be decoded as UTF-8: {exc}")


def _form_parsed(content_type: bytes | None) -> bool:
    # Werkzeug parses these into request.form, leaving request.data empty; a multipart body without a
    # boundary cannot be parsed and stays in request.data.
    if not content_type:
        return False
    mimetype, _, options = content_type.decode("latin-1").partition(";")
    mimetype = mimetype.strip().lower()
    if mimetype == _FORM_TYPES[0]:
        return True
    return mimetype == _FORM_TYPES[1] and "boundary=" in options.lower().replace(" ", "")


def answer_of(result: Any) -> Answer:
    """What Azure sends for ``run()``'s result: an ``AMLResponse`` as it is (marked failed when 5xx),
    ``None`` as ``{}``, anything else as ``json.dumps`` text.

    Raises:
        TypeError, ValueError, RecursionError: for a result that does not encode, which Azure answers
            with its internal-error 500 (:data:`INTERNAL_ERROR`).
    """
    if callable(getattr(result, "get_data", None)) and hasattr(result, "status_code"):
        answer = from_response(result)
        if answer.status >= 500:
            kept = tuple(h for h in answer.headers if h[0].lower() != b"x-ms-run-function-failed")
            answer = Answer(answer.status, answer.body, (*kept, (b"x-ms-run-function-failed", b"True")))
        return answer
    body = json.dumps({} if result is None else result).encode("utf-8")
    return Answer(
        200, body, ((b"content-type", b"application/json"), (b"x-ms-run-function-failed", b"False"))
    )
