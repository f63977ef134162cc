"""The scoring server as a plain ASGI application.

Routes: ``GET /`` (liveness, answers ``Healthy``), ``GET /swagger.json`` and ``POST /score``, which
hands the request body to the entry script's ``run()``. Plain ASGI rather than Starlette: the hot
path is three routes and one body read, and skipping the framework's request/response objects
roughly halves the per-request overhead (see ``benchmarks/serving.py``).

Status codes: 401 for a missing or wrong key, 503 when the keys file cannot be read, 413 for a
body over the limit, 408 for a body that does not arrive within the body timeout, 400 when
``run()`` raises ``ValueError`` (the entry script's way of refusing input, e.g.
``json.JSONDecodeError`` or ``training.schema.SchemaError``) or the body is not UTF-8, the error's
own ``http_status`` when it carries a 4xx one (``training.schema.OutOfRangeError``: 422), 500 only
for other failures of the script.

``run()`` executes on a thread pool of ``threads`` threads per worker process, so a long request
does not stall liveness probes or other connections; requests beyond the pool's threads wait their
turn. A script that has proven fast is the exception (:class:`_Placement`): its small requests run
on the event loop, because handing one to a thread and back costs more than scoring a row.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import orjson

from .auth import KeyRing, KeysUnavailable
from .config import ServerConfig
from .entry import load_entry_script
from .swagger import swagger_document

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

access_log = logging.getLogger("emulator.serving.access")
error_log = logging.getLogger("emulator.serving.error")

_JSON = b"application/json"
_TEXT = b"text/plain; charset=utf-8"


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


class _TimedOut(Exception):
    pass


def _dumps(value: Any) -> bytes:
    # NaN and infinities become null rather than invalid JSON
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY)


def _error(message: str) -> bytes:
    return _dumps({"error": message})


def _timed(run: Callable[[str], Any], text: str) -> tuple[Any, float, float]:
    """``run(text)`` with its wall time and its thread's CPU time."""
    wall, cpu = time.perf_counter(), time.thread_time()
    answer = run(text)
    return answer, time.perf_counter() - wall, time.thread_time() - cpu


class _Placement:
    """Whether a request's ``run()`` may execute on the event loop rather than on the pool.

    Only small bodies, and only once the script has shown itself fast: ``PROVEN`` small requests
    in a row took at most ``FAST_CPU_S`` of CPU and ``SLOW_S`` of wall time on the pool (a pool
    thread's wall time includes its waits for the GIL, which the CPU time leaves out). The first
    call on the loop slower than ``SLOW_S`` sends the script back to the pool for good, so a
    script that sleeps, waits on I/O or grows slow stalls the loop once at most, for that call.
    """

    SMALL_BODY = 4096
    FAST_CPU_S = 0.002
    SLOW_S = 0.02
    PROVEN = 50

    def __init__(self) -> None:
        self._streak = 0
        self._demoted = False

    def inline(self, body: str) -> bool:
        return not self._demoted and self._streak >= self.PROVEN and len(body) <= self.SMALL_BODY

    def record(self, body: str, wall: float, cpu: float, inline: bool) -> None:
        if len(body) > self.SMALL_BODY or self._demoted:
            return
        if inline and wall > self.SLOW_S:
            self._demoted = True
            error_log.warning(
                "run() took %.1f ms on the event loop; every request runs on the thread pool from now on",
                wall * 1000,
            )
        elif wall <= self.SLOW_S and cpu <= self.FAST_CPU_S:
            self._streak += 1
        else:
            self._streak = 0


class ScoringApp:
    """ASGI callable serving one loaded entry script."""

    def __init__(self, entry: ModuleType, config: ServerConfig) -> None:
        self._run = entry.run
        self._keys = KeyRing(config.keys_file) if config.keys_file else None
        self._max_body = config.max_body_bytes
        self._body_timeout = config.body_timeout_seconds
        self._pool = ThreadPoolExecutor(config.threads, thread_name_prefix="score")
        self._placement = _Placement()
        example = getattr(entry, "INPUT_EXAMPLE", None)
        answer = entry.run(orjson.dumps(example).decode()) if example is not None else None
        self._swagger = _dumps(
            swagger_document(config.entry_script.stem, example, answer, auth=self._keys is not None)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        try:
            status, body, content_type = await self._dispatch(scope, receive)
        except _Disconnected:
            return
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
        client = scope.get("client") or ("-", 0)
        access_log.info(
            '%s "%s %s" %d %dB %.3fms',
            client[0],
            scope["method"],
            scope["path"],
            status,
            len(body),
            (time.perf_counter() - started) * 1000,
        )

    async def _dispatch(self, scope: Scope, receive: Receive) -> tuple[int, bytes, bytes]:
        path, method = scope["path"], scope["method"]
        if path == "/score":
            if method != "POST":
                return 405, _error("use POST to score"), _JSON
            return await self._score(scope, receive)
        if path == "/" and method in ("GET", "HEAD"):
            return 200, b"Healthy", _TEXT
        if path == "/swagger.json" and method == "GET":
            return 200, self._swagger, _JSON
        return 404, _error(f"no route {method} {path}"), _JSON

    async def _score(self, scope: Scope, receive: Receive) -> tuple[int, bytes, bytes]:
        headers = dict(scope["headers"])
        if self._keys is not None:
            try:
                refusal = self._keys.check(headers.get(b"authorization"))
            except KeysUnavailable as exc:
                error_log.error("%s", exc)
                return (
                    503,
                    _error(f"{exc}; the service cannot authenticate requests until it is redeployed"),
                    _JSON,
                )
            if refusal is not None:
                return 401, _error(refusal), _JSON
        try:
            raw = await self._read_body(headers.get(b"content-length"), receive)
            text = raw.decode("utf-8")
        except _TooLarge:
            return 413, _error(f"request body larger than {self._max_body} bytes"), _JSON
        except _TimedOut:
            return 408, _error(f"request body not received within {self._body_timeout:g} seconds"), _JSON
        except UnicodeDecodeError as exc:
            return 400, _error(f"request body is not valid UTF-8: {exc.reason} at byte {exc.start}"), _JSON
        try:
            answer = await self._call_run(text)
            return 200, _dumps(answer), _JSON
        except ValueError as exc:
            status = getattr(exc, "http_status", 400)
            status = status if isinstance(status, int) and 400 <= status < 500 else 400
            return status, _error(str(exc) or type(exc).__name__), _JSON
        except Exception:
            error_log.exception("run() failed")
            return 500, _error("the entry script failed; see the service logs"), _JSON

    async def _call_run(self, text: str) -> Any:
        if self._placement.inline(text):
            started = time.perf_counter()
            try:
                return self._run(text)
            finally:  # a slow call demotes the script even when it raised
                wall = time.perf_counter() - started
                self._placement.record(text, wall, wall, inline=True)
        loop = asyncio.get_running_loop()
        answer, wall, cpu = await loop.run_in_executor(self._pool, _timed, self._run, text)
        self._placement.record(text, wall, cpu, inline=False)
        return answer

    async def _read_body(self, content_length: bytes | None, receive: Receive) -> bytes:
        if content_length is not None and content_length.isdigit() and int(content_length) > self._max_body:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        deadline = asyncio.get_running_loop().time() + self._body_timeout
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _TimedOut from None
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def create_app() -> ScoringApp:
    """uvicorn factory: load the entry script named in the environment and call its ``init()``."""
    config = ServerConfig.from_env()
    entry = load_entry_script(config.entry_script)
    entry.init()
    return ScoringApp(entry, config)
