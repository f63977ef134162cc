"""The HTTPS server under the v2 surface: TLS, the CONNECT tunnel that carries storage-account hosts
here, bearer-token checks, JSON in and out, and dispatch to the route tables."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..exceptions import UserErrorException
from . import _blobs

Answer = tuple[int, Any, dict]
Route = tuple[str, str, Callable[..., Answer]]


def error(status: int, code: str, message: str) -> Answer:
    """Azure's ARM error envelope."""
    return status, {"error": {"code": code, "message": message}}, {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def _send(self, status: int, payload: bytes, headers: dict) -> None:
        self.send_response(status)
        length = headers.pop("Content-Length-Of-Blob", None) or str(len(payload))
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _answer(self, status: int, body: Any = None, headers: dict | None = None) -> None:
        if isinstance(body, bytes):
            return self._send(status, body, {"Content-Type": "application/octet-stream", **(headers or {})})
        payload = b"" if body is None else json.dumps(body).encode()
        return self._send(status, payload, {"Content-Type": "application/json", **(headers or {})})

    def do_CONNECT(self) -> None:
        # HTTPS_PROXY: storage hosts (<account>.blob.<suffix>) are tunnelled here and served over TLS.
        host = self.path.split(":")[0]
        if not host.endswith(self.server.surface.storage_host_suffix):
            self.send_error(403, f"the emulator tunnels only its storage hosts, not {host}")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        tls = self.server.tls.wrap_socket(self.connection, server_side=True)
        _Handler(tls, self.client_address, self.server)
        self.close_connection = True

    def _any(self) -> None:
        surface = self.server.surface
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        host = self.headers.get("Host", "").split(":")[0]
        if host.endswith(surface.storage_host_suffix):
            ranged = "x-ms-range" in self.headers or "Range" in self.headers
            path = f"/{host.split('.')[0]}{parts.path}"
            return self._send(
                *_blobs.answer(surface.blob_root, surface.store, self.command, path, parts.query, raw, ranged)
            )
        try:  # files (MLflow artifacts) stay bytes
            body = json.loads(raw) if raw and "/mlflow-artifacts/" not in parts.path else raw or None
        except ValueError:
            body = raw
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        for method, pattern, handle, public in self.server.routes:
            match = re.match(pattern, parts.path)
            if method == self.command and match:
                if not public and not surface.tokens.accepts(self.headers.get("Authorization", "")):
                    return self._answer(
                        401,
                        {
                            "error": {
                                "code": "InvalidAuthenticationToken",
                                "message": "The access token is invalid.",
                            }
                        },
                        {"WWW-Authenticate": 'Bearer error="invalid_token"'},
                    )
                try:
                    return self._answer(*handle(match, body, query, self.headers))
                # a body that lacks what Azure requires, or names what the service refuses (a path out of its folder)
                except (KeyError, TypeError, ValueError, UserErrorException) as exc:
                    return self._answer(*error(400, "UserError", f"invalid request: {exc!r}"))
                except Exception as exc:  # the emulator's own fault: answered, never a dropped connection
                    self.log_error("%s %s failed: %r", self.command, parts.path, exc)
                    return self._answer(*error(500, "InternalServerError", repr(exc)))
        return self._answer(*error(404, "NotFound", f"{self.command} {parts.path} is not served here"))

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = _any

    def log_message(self, *args: Any) -> None:
        pass


class Server(ThreadingHTTPServer):
    """A server answering ``routes`` (method, pattern, handler, public) for ``surface``: over TLS, or
    in plain HTTP for the proxy port (``secure=False``), whose CONNECT tunnels are TLS inside."""

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], surface: Any, routes: list, tls, secure: bool = True
    ) -> None:
        super().__init__(address, _Handler)
        self.surface, self.routes, self.tls, self.secure = surface, routes, tls, secure

    def get_request(self):
        connection, address = super().get_request()
        if self.secure:  # the handshake runs in the request's thread, not in the accept loop
            connection = self.tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        return connection, address
