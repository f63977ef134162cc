"""uvicorn's HTTP protocol with a header timeout: a connection must finish its request line and
headers within ``ServerConfig.header_timeout_seconds`` (default 10) of connecting, or of sending
the first byte of its next request, or it is closed.

uvicorn closes idle keep-alive connections but waits forever for a request that never completes, so
without this a client holding many half-open connections (slowloris) keeps every one of them, and
their buffers, open. The body has its own deadline in :mod:`.app`.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .config import header_timeout


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """Closes a connection whose request headers are not complete in time."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._header_timeout = header_timeout()
        self._header_timer: asyncio.TimerHandle | None = None

    def _arm_header_timer(self) -> None:
        # A request whose headers complete replaces ``self.cycle``; the timer then finds a new cycle.
        self._header_timer = self.loop.call_later(self._header_timeout, self._header_timed_out, self.cycle)

    def _header_timed_out(self, waiting_since) -> None:
        self._header_timer = None
        if self.cycle is waiting_since and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self._header_timer is None and (self.cycle is None or self.cycle.response_complete):
            self._arm_header_timer()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)

    def connection_lost(self, exc) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().connection_lost(exc)
