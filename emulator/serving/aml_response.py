"""``azureml.contrib.services.aml_response``: the response an entry script's ``run()`` may return.

Mirrors ``azureml_inference_server_http.api.aml_response.AMLResponse`` (Azure's inference server,
``azmlinfsrv`` 1.5.1), which the server answers as-is: its own status, headers and body. Azure's class
is a ``flask.Response``; this one carries the same constructor and the parts the server reads
(``status_code``, ``headers``, ``get_data()``) without Flask, so it runs in the slim scoring image.
The body is encoded when the response is built, as Werkzeug does: a ``str`` that UTF-8 cannot encode
(a lone surrogate) makes ``run()`` itself raise, which both servers answer with their 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

_JSON = "application/json"
_TEXT = "text/html; charset=utf-8"  # flask.Response's default mimetype, which Azure's class inherits


class Headers:
    """Response headers in order, names matched without regard to case (as Werkzeug's ``Headers``)."""

    def __init__(self) -> None:
        self._items: list[tuple[str, str]] = []

    def add(self, name: str, value: Any) -> None:
        """Append a header, keeping any already present under the same name."""
        self._items.append((name, str(value)))

    add_header = add

    def remove(self, name: str) -> None:
        """Drop every header of that name."""
        self._items = [(key, value) for key, value in self._items if key.lower() != name.lower()]

    def __setitem__(self, name: str, value: Any) -> None:
        self.remove(name)
        self.add(name, value)

    def __getitem__(self, name: str) -> str:
        for key, value in self._items:
            if key.lower() == name.lower():
                return value
        raise KeyError(name)

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of ``name``, or ``default``."""
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(list(self._items))


def _encode(message: Any) -> bytes:
    if isinstance(message, bytes | bytearray):
        return bytes(message)
    if isinstance(message, str):
        return message.encode("utf-8")
    if isinstance(message, Iterable):  # Werkzeug accepts an iterable of str or bytes chunks
        return b"".join(_encode(chunk) for chunk in message)
    raise TypeError(f"AMLResponse cannot send a {type(message).__name__} body; use json_str=True for objects")


class AMLResponse:
    """A response with its own status code and headers, returned by ``run()``.

    Args:
        message: The body: JSON-encoded when ``json_str`` is true, otherwise ``str`` or ``bytes``
            sent as ``text/html`` (Flask's default) unless ``response_headers`` names a ``Content-Type``; ``None``
            sends ``{}``.
        status_code: The HTTP status the client receives.
        response_headers: Extra headers; a value with commas becomes one header per part.
        json_str: Send ``message`` as JSON.
        run_function_failed: The value of the ``x-ms-run-function-failed`` header.
    """

    def __init__(
        self,
        message: Any,
        status_code: int,
        response_headers: dict[str, str] | None = None,
        json_str: bool = False,
        run_function_failed: bool = False,
    ) -> None:
        response_headers = response_headers or {}
        self.status_code = int(status_code)
        self.headers = Headers()
        if message is None or json_str:
            self._body = json.dumps({} if message is None else message).encode("utf-8")
            self.headers["Content-Type"] = _JSON
        else:
            self._body = _encode(message)
            if "Content-Type" not in response_headers:
                self.headers["Content-Type"] = _TEXT
        self.headers["x-ms-run-function-failed"] = run_function_failed
        for name, value in response_headers.items():
            for part in value.split(","):
                self.headers.add(name, part.strip())

    def get_data(self) -> bytes:
        """The body as sent."""
        return self._body

    @property
    def data(self) -> bytes:
        """The body as sent (Werkzeug's name)."""
        return self._body
