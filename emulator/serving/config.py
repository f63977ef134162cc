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


@dataclass(frozen=True)
class ServerConfig:
    """Where the entry script is, which keys guard it (none: no auth) and the largest body accepted."""

    entry_script: Path
    keys_file: Path | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY

    @classmethod
    def from_env(cls) -> ServerConfig:
        """Azure's variables name the script (relative to ``AML_APP_ROOT`` when that is set)."""
        if ENTRY_SCRIPT not in os.environ:
            raise RuntimeError(f"{ENTRY_SCRIPT} is not set: the server needs an entry script")
        script = Path(os.environ.get(APP_ROOT, ".")) / os.environ[ENTRY_SCRIPT]
        keys = os.environ.get(KEYS_FILE)
        return cls(
            entry_script=script.resolve(),
            keys_file=Path(keys) if keys else None,
            max_body_bytes=int(os.environ.get(MAX_BODY, DEFAULT_MAX_BODY)),
        )

    def to_env(self) -> dict[str, str]:
        """The variables that make :meth:`from_env` return this configuration."""
        env = {ENTRY_SCRIPT: str(self.entry_script), MAX_BODY: str(self.max_body_bytes)}
        if self.keys_file is not None:
            env[KEYS_FILE] = str(self.keys_file)
        return env
