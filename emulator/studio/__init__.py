"""An offline studio for the emulator's workspaces: runs, trials, images and models in a browser.

``emulator studio [--workspace NAME] [--port 8765]`` serves it on 127.0.0.1. The page is a single
static file that routes by the URL's fragment, so a run's page has a stable address:
:func:`studio_url` builds it, for reports that link to a run.
"""

from __future__ import annotations

from urllib.parse import quote

__all__ = ["STUDIO_PORT", "create_app", "serve", "studio_url"]

STUDIO_PORT = 8765
"""The studio's port unless told otherwise: fixed, so that links written into reports stay valid."""


def studio_url(run_id: str, base: str) -> str:
    """The address of ``run_id``'s page in the studio served at ``base``.

    Example::

        >>> studio_url("HD_1234_0", "http://127.0.0.1:8765")
        'http://127.0.0.1:8765/#/runs/HD_1234_0'

    Args:
        run_id: the run's id, as ``Run.id`` gives it.
        base: the studio's address as ``emulator studio`` prints it (with or without the final slash).
    """
    if not run_id:
        raise ValueError("studio_url needs a run id")
    return f"{base.rstrip('/')}/#/runs/{quote(run_id, safe='')}"


def __getattr__(name: str):
    # The app pulls in FastAPI and uvicorn; a report that only builds links should not pay for them.
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "serve":
        from .server import serve

        return serve
    raise AttributeError(name)
