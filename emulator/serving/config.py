"""The server's settings, read from the environment so that every uvicorn worker sees the same."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENTRY_SCRIPT = "AZUREML_ENTRY_SCRIPT"
APP_ROOT = "AML_APP_ROOT"
KEYS_FILE = "DUEL_SCORING_KEYS_FILE"
MAX_BODY = "DUEL_SCORING_MAX_BODY_BYTES"
DEFAULT_MAX_BODY = 8 * 1024 * 1024
THREADS = "DUEL_SCORING_THREADS"
BODY_TIMEOUT = "DUEL_SCORING_BODY_TIMEOUT_SECONDS"
DEFAULT_BODY_TIMEOUT = 30.0
HEADER_TIMEOUT = "DUEL_SCORING_HEADER_TIMEOUT_SECONDS"
DEFAULT_HEADER_TIMEOUT = 10.0


@dataclass(frozen=True)
class ServerConfig:
    """Where the entry script is, which keys guard it (none: no auth), the largest body accepted,
    how many threads of a worker run ``run()``, how long request headers and body may take to arrive,
    and the app root where a user's ``swagger.json`` may lie (the script's folder when unset)."""

    entry_script: Path
    keys_file: Path | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY
    threads: int = 1
    body_timeout_seconds: float = DEFAULT_BODY_TIMEOUT
    header_timeout_seconds: float = DEFAULT_HEADER_TIMEOUT
    app_root: Path | None = None

    @classmethod
    def from_env(cls) -> ServerConfig:
        """Azure's variables name the script (relative to ``AML_APP_ROOT`` when that is set)."""
        if ENTRY_SCRIPT not in os.environ:
            raise RuntimeError(f"{ENTRY_SCRIPT} is not set: the server needs an entry script")
        script = Path(os.environ.get(APP_ROOT, ".")) / os.environ[ENTRY_SCRIPT]
        keys = os.environ.get(KEYS_FILE)
        root = os.environ.get(APP_ROOT)
        return cls(
            entry_script=script.resolve(),
            keys_file=Path(keys) if keys else None,
            max_body_bytes=int(os.environ.get(MAX_BODY, DEFAULT_MAX_BODY)),
            threads=max(1, int(os.environ.get(THREADS, 1))),
            body_timeout_seconds=float(os.environ.get(BODY_TIMEOUT, DEFAULT_BODY_TIMEOUT)),
            header_timeout_seconds=header_timeout(),
            app_root=Path(root).resolve() if root else None,
        )

    def to_env(self) -> dict[str, str]:
        """The variables that make :meth:`from_env` return this configuration."""
        env = {
            ENTRY_SCRIPT: str(self.entry_script),
            MAX_BODY: str(self.max_body_bytes),
            THREADS: str(self.threads),
            BODY_TIMEOUT: str(self.body_timeout_seconds),
            HEADER_TIMEOUT: str(self.header_timeout_seconds),
        }
        if self.keys_file is not None:
            env[KEYS_FILE] = str(self.keys_file)
        if self.app_root is not None:
            env[APP_ROOT] = str(self.app_root)
        return env


def header_timeout() -> float:
    """Seconds a connection has to send complete request headers (read by each worker's protocol)."""
    return float(os.environ.get(HEADER_TIMEOUT, DEFAULT_HEADER_TIMEOUT))
