"""``python -m emulator.v2 --workspace NAME --state FILE``: serve one workspace's v2 surface until
stopped; once listening, ``FILE`` holds its pid, URL, environment and config.json (see ``_lasting``)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading

from ..core import Workspace
from ..core.workspace import emulator_home
from .server import V2Server


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator.v2")
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--port", type=int, default=0)
    options = parser.parse_args()
    workspace = Workspace.get(options.workspace)
    server = V2Server(workspace, emulator_home() / "v2-tls", port=options.port)
    state = {
        "pid": os.getpid(),
        "url": server.url,
        "environment": server.environment(),
        "config": server.config(),
    }
    partial = f"{options.state}.partial"
    with open(partial, "w") as file:
        json.dump(state, file, indent=2)
    os.replace(partial, options.state)  # readers see the whole file or none
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    server.close()


if __name__ == "__main__":
    main()
