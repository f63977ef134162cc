"""``python -m emulator.serving``: run the scoring server under uvicorn.

The entry script, keys file and body limit come from the environment (see :mod:`.config`);
binds to 127.0.0.1 unless ``--host`` says otherwise.
"""

from __future__ import annotations

import argparse

import uvicorn

from .protocol import HeaderTimeoutProtocol

LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stdout"}
    },
    "loggers": {
        "uvicorn": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "emulator.serving": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator.serving", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes, each with its own model session"
    )
    args = parser.parse_args(argv)
    uvicorn.run(
        "emulator.serving.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        lifespan="off",
        access_log=False,
        log_config=LOG_CONFIG,
        timeout_keep_alive=30,
        http=HeaderTimeoutProtocol,
    )


if __name__ == "__main__":
    main()
