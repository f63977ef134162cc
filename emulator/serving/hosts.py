"""Where a deployed scoring service runs: an abstract host and one class per strategy.

A host starts the server for a staged service folder and hands back a JSON-friendly handle,
which the workspace store keeps so that any later process can probe, read logs from or stop it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import DEFAULT_MAX_BODY, ServerConfig
from .process import process_alive, start_server, start_time, stop_process

LOG_FILE = "logs/service.log"


@dataclass(frozen=True)
class ServiceSpec:
    """A staged service: its folder and, relative to it, the entry script, models and keys file."""

    folder: Path
    entry_script: str
    model_dir: str
    port: int
    keys_file: str | None = None
    workers: int = 1
    cpu_cores: float | None = None
    memory_gb: float | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY


class Host(ABC):
    """Starts, probes, reads the logs of and stops scoring servers."""

    name: str

    @abstractmethod
    def start(self, spec: ServiceSpec) -> dict[str, Any]:
        """Launch the server for ``spec`` on 127.0.0.1:``spec.port``; return its handle."""

    @abstractmethod
    def alive(self, handle: dict[str, Any]) -> bool:
        """Whether the server behind ``handle`` still runs (healthy or still starting)."""

    @abstractmethod
    def logs(self, handle: dict[str, Any], num_lines: int) -> str:
        """The last ``num_lines`` lines the server wrote (startup, request log, errors)."""

    @abstractmethod
    def stop(self, handle: dict[str, Any]) -> None:
        """Stop and remove the server; a no-op when it is already gone."""


class ProcessHost(Host):
    """The server as a detached local process (``python -m emulator.serving``)."""

    name = "process"

    def start(self, spec: ServiceSpec) -> dict[str, Any]:
        keys = spec.folder / spec.keys_file if spec.keys_file else None
        config = ServerConfig(spec.folder / spec.entry_script, keys, spec.max_body_bytes)
        log_path = spec.folder / LOG_FILE
        log_path.parent.mkdir(parents=True, exist_ok=True)
        process = start_server(
            config,
            model_dir=spec.folder / spec.model_dir,
            port=spec.port,
            log_path=log_path,
            workers=spec.workers,
        )
        return {"pid": process.pid, "started": start_time(process.pid), "log": str(log_path)}

    def alive(self, handle: dict[str, Any]) -> bool:
        return process_alive(handle["pid"], handle["started"])

    def logs(self, handle: dict[str, Any], num_lines: int) -> str:
        try:
            with open(handle["log"], encoding="utf-8", errors="replace") as log:
                return "".join(deque(log, maxlen=num_lines))
        except FileNotFoundError:
            return ""

    def stop(self, handle: dict[str, Any]) -> None:
        stop_process(handle["pid"], handle["started"])
