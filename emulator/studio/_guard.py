"""What keeps a workspace's files from acting as the studio: response headers and the write token.

Run files are written by training code, so the studio treats them as hostile. Every file response
carries ``Content-Security-Policy: sandbox``: opened at a studio address, such a document gets an
opaque origin, so its script (if any could run) can neither read the studio's page nor send the
studio's cookie. Active types (HTML, XHTML, XML) are served as plain text; SVG keeps its image type so
that ``<img>`` shows it, where browsers never run its script. ``nosniff`` stops a browser from
guessing a script-capable type back.

Writes need the page's token twice: in an ``X-Studio-Token`` header, which only script that read the
page can send, and in a ``SameSite=Strict`` HttpOnly cookie, which only a page opened at the studio
(not one embedded or linked from elsewhere) sends. The page is the only response that carries it.
"""

from __future__ import annotations

import hmac
import mimetypes
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_HEADER = "x-studio-token"
TOKEN_COOKIE = "studio_token"
# The page: its own scripts, styles and images only; nothing inline, no frames, no forms elsewhere.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Everything else: a document opened from it is sandboxed (opaque origin, no script, no forms).
FILE_POLICY = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'none'"
)
# Types a browser would run script in if served inline; their text is shown instead.
_ACTIVE = ("text/html", "application/xhtml+xml", "text/xml", "application/xml", "text/xsl")
_IMAGES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml")


class SecurityHeaders:
    """ASGI middleware: ``nosniff`` on every response, and the sandbox policy on all but the page."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-content-type-options"
                ]
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                if not any(k.lower() == b"content-security-policy" for k, _ in headers):
                    headers.append((b"content-security-policy", FILE_POLICY.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def new_token() -> str:
    """A fresh secret for one studio process (its page hands it to the browser that opens it)."""
    return secrets.token_urlsafe(32)


def page_response(index: Path, token: str) -> HTMLResponse:
    """The studio's page with ``token`` in a meta tag and a ``SameSite=Strict`` HttpOnly cookie."""
    html = index.read_text(encoding="utf-8").replace("{{STUDIO_TOKEN}}", token)
    response = HTMLResponse(
        html, headers={"Cache-Control": "no-store", "Content-Security-Policy": PAGE_POLICY}
    )
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


def check_write(request: Request, token: str) -> None:
    """Refuse a write that is not the studio page's own: wrong origin, no token, or not JSON.

    Raises:
        HTTPException: 403 for a missing Origin, another origin or a missing/wrong token; 415 for a
            body that is not JSON.
    """
    origin = request.headers.get("origin")
    if origin is None:
        # Browsers send Origin on every POST; a request without one is not the studio's page.
        raise HTTPException(403, "write refused: the request has no Origin header")
    if urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, f"cross-origin request from {origin} refused")
    sent = request.headers.get(TOKEN_HEADER, "")
    cookie = request.cookies.get(TOKEN_COOKIE, "")
    if not (
        hmac.compare_digest(sent.encode(), token.encode())
        and hmac.compare_digest(cookie.encode(), token.encode())
    ):
        raise HTTPException(
            403, "write refused: open the studio's page and act from there (studio token missing or wrong)"
        )
    if "application/json" not in request.headers.get("content-type", ""):
        raise HTTPException(415, "send the request body as application/json")


def file_response(path: Path, name: str, download: bool) -> FileResponse:
    """Serve a run file so that it can never act as the studio (see the module's docstring)."""
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media.startswith("text/") or media in _ACTIVE or name.endswith((".log", ".txt", ".json")):
        media = "text/plain; charset=utf-8"
    inline = not download and (media in _IMAGES or media.startswith("text/plain"))
    return FileResponse(
        path,
        media_type=media,
        filename=Path(name).name,
        content_disposition_type="inline" if inline else "attachment",
        headers={"Content-Security-Policy": FILE_POLICY},
    )
