"""Key authentication: ``Authorization: Bearer <key>`` against a primary and a secondary key.

The keys live in a JSON file (``{"primaryKey": ..., "secondaryKey": ...}``) that the deployment
rewrites when a key is regenerated; the file is read again whenever it changes, so a regenerated
key takes effect on the next request without a restart. Keys are compared in constant time and
never logged.
"""

from __future__ import annotations

import hmac
import json
import os
from pathlib import Path

PRIMARY = "primaryKey"
SECONDARY = "secondaryKey"


def write_keys(path: Path, primary: str, secondary: str) -> None:
    """Atomically replace the keys file, readable by its owner only."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({PRIMARY: primary, SECONDARY: secondary}, handle)
    os.replace(tmp, path)


def read_keys(path: Path) -> tuple[str, str]:
    """The (primary, secondary) keys stored in ``path``."""
    keys = json.loads(path.read_text())
    return keys[PRIMARY], keys[SECONDARY]


class KeysUnavailable(Exception):
    """The keys file is missing or unreadable: no request can be authenticated (answer 503)."""


class KeyRing:
    """The keys in force, refreshed from the keys file when its identity or mtime changes."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stamp: tuple[int, int, int] | None = None
        self._keys: tuple[bytes, ...] = ()

    def _refresh(self) -> None:
        try:
            stat = os.stat(self._path)
            stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if stamp != self._stamp:
                self._keys = tuple(key.encode() for key in read_keys(self._path))
                self._stamp = stamp
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            # Refuse everyone rather than fall back to keys that may have been revoked.
            self._stamp, self._keys = None, ()
            raise KeysUnavailable(f"the service's keys cannot be read ({type(exc).__name__})") from exc

    def check(self, authorization: bytes | None) -> str | None:
        """``None`` when the header carries a valid key, else the reason to answer 401.

        Raises :class:`KeysUnavailable` when the keys file cannot be read."""
        if not authorization:
            return "missing Authorization header (expected 'Bearer <key>')"
        scheme, _, token = authorization.partition(b" ")
        if scheme.lower() != b"bearer" or not token:
            return "malformed Authorization header (expected 'Bearer <key>')"
        self._refresh()
        # compare against every key so the time taken does not say which one was close
        matches = [hmac.compare_digest(token.strip(), key) for key in self._keys]
        return None if any(matches) else "invalid key"
