"""The scoring server as a plain ASGI application, answering as Azure's ``azmlinfsrv`` does.

Routes, bodies and status codes follow :mod:`.contract` (Azure's inference server, checked request by
request against it in ``tests/conformance/test_scoring_server.py``): ``GET /`` answers ``Healthy``,
``/swagger.json`` Azure's documents, ``POST /score`` hands the body to the entry script's ``run()``,
whose exception is Azure's 500 and whose ``AMLResponse`` is sent with its own status. Plain ASGI
rather than a framework: the hot path is three routes and one body read, and skipping a framework's
request/response objects roughly halves the per-request overhead (see ``benchmarks/serving.py``).

What Azure's container does not do, the emulator adds in front, as Azure's front end and its own
protection: 401 for a missing or wrong key and 503 when the keys file cannot be read (``/score``
only), 413 for a body over ``max_body_bytes`` and 408 for a body that does not arrive in time.

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
from urllib.parse import parse_qs

from . import contract
from .aml_response import AMLResponse
from .auth import KeyRing, KeysUnavailable
from .config import ServerConfig
from .contract import Answer
from .entry import load_entry_script
from .swagger import Swagger, SwaggerVersionError

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

access_log = logging.getLogger("emulator.serving.access")
error_log = logging.getLogger("emulator.serving.error")

_JSON = b"application/json"


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


class _TimedOut(Exception):
    pass


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
        self._swagger = Swagger(config.app_root or config.entry_script.parent)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        try:
            answer = await self._dispatch(scope, receive)
        except _Disconnected:
            return
        headers = [*answer.headers, (b"content-length", str(len(answer.body)).encode())]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})
        client = scope.get("client") or ("-", 0)
        access_log.info(
            '%s "%s %s" %d %dB %.3fms',
            client[0],
            scope["method"],
            scope["path"],
            answer.status,
            len(answer.body),
            (time.perf_counter() - started) * 1000,
        )

    async def _dispatch(self, scope: Scope, receive: Receive) -> Answer:
        refusal = contract.gunicorn_refusal(scope)
        if refusal is not None:
            return refusal
        reached = contract.route(scope["path"], scope["method"])
        if isinstance(reached, Answer):
            return reached
        headers = dict(scope["headers"])
        if reached == "/score" and self._keys is not None:  # Azure's front end checks keys first
            refusal = self._refuse_key(headers.get(b"authorization"))
            if refusal is not None:
                return refusal
        ids, refusal = contract.request_ids(headers)
        if refusal is not None:
            answer = refusal
        elif reached == "options":
            answer = contract.EMPTY
        elif reached == "/":
            answer = Answer(200, b"Healthy", ((b"content-type", contract.HTML),))
        elif reached == "/swagger.json":
            answer = self._swagger_answer(scope)
        else:
            answer = await self._score(scope, headers, receive)
        return Answer(answer.status, answer.body, (*answer.headers, *ids))

    def _refuse_key(self, authorization: bytes | None) -> Answer | None:
        try:
            refusal = self._keys.check(authorization)
        except KeysUnavailable as exc:
            error_log.error("%s", exc)
            return contract.message(
                503, f"{exc}; the service cannot authenticate requests until it is redeployed"
            )
        return None if refusal is None else contract.message(401, refusal)

    def _swagger_answer(self, scope: Scope) -> Answer:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        try:
            body = self._swagger.body(query["version"][0] if "version" in query else None)
        except SwaggerVersionError as exc:
            return contract.message(404, str(exc))
        return Answer(200, body, ((b"content-type", _JSON), (b"x-ms-run-function-failed", b"False")))

    async def _score(self, scope: Scope, headers: dict[bytes, bytes], receive: Receive) -> Answer:
        method = scope["method"]
        if method == "OPTIONS":
            return contract.from_response(AMLResponse("", 200))
        if method == "HEAD":
            return contract.message(405, "Method not allowed")
        if method == "GET":
            text = contract.get_input(scope.get("query_string", b""))
        else:
            try:
                raw = await self._read_body(headers.get(b"content-length"), receive)
            except _TooLarge:
                return contract.message(413, f"request body larger than {self._max_body} bytes")
            except _TimedOut:
                return contract.message(
                    408, f"request body not received within {self._body_timeout:g} seconds"
                )
            text = contract.post_input(headers.get(b"content-type"), raw)
            if isinstance(text, Answer):
                return text
        started = time.perf_counter()
        try:
            result = await self._call_run(text)
        except Exception:
            error_log.exception("run() failed")
            return contract.message(500, contract.SCRIPT_FAILED, run_function_failed=True)
        elapsed = f"{(time.perf_counter() - started) * 1000:.3f}".encode()
        try:
            answer = contract.answer_of(result)
        except Exception:  # a result json.dumps cannot encode, or headers HTTP cannot carry
            error_log.exception("run()'s result could not be sent")
            return contract.message(500, contract.INTERNAL_ERROR)
        return Answer(answer.status, answer.body, (*answer.headers, (b"x-ms-run-fn-exec-ms", elapsed)))

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
