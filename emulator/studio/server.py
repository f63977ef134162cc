"""Serving the studio on the loopback interface only."""

from __future__ import annotations

import importlib
import socket
import sys
import threading

import uvicorn

from emulator.core import Workspace

from .app import CHART_LIBRARY, create_app

HOST = "127.0.0.1"


def serve(workspace: Workspace, port: int = 0, *, announce=print) -> None:
    """Serve the studio of ``workspace`` on 127.0.0.1:``port`` (0 picks a free port) until interrupted.

    The address is announced before the first request can arrive, so a caller that started this
    in a subprocess can read it from stdout.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    url = f"http://{HOST}:{sock.getsockname()[1]}/"
    if not CHART_LIBRARY.is_file():
        print(
            f"studio: the chart library is missing ({CHART_LIBRARY}); run `make setup` to install it. "
            "Tables work, charts will not.",
            file=sys.stderr,
            flush=True,
        )
    announce(f"studio of workspace {workspace.name}: {url}")
    sys.stdout.flush()
    # AutoML runs are ranked by their metric's goal, whose module pulls in scikit-learn (seconds):
    # where there are AutoML runs, import it while the server starts, not in the first request.
    if any(r["type"] == "automl" for r in workspace._store.search_runs(parent_id=None)):
        threading.Thread(
            target=importlib.import_module, args=("emulator.train.automl.metrics",), daemon=True
        ).start()
    config = uvicorn.Config(create_app(workspace), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
