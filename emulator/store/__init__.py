"""Storage of an emulated workspace: the interface and its SQLite implementation."""

from ._paths import check_text, contained
from .base import TERMINAL_STATUSES, AbstractStore, Metric
from .sqlite import SqliteStore

__all__ = ["TERMINAL_STATUSES", "AbstractStore", "Metric", "SqliteStore", "check_text", "contained"]
