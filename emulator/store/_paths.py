"""The one check every path the emulator writes goes through: it must stay inside its root.

Names, ids, ``relative_root``, ``target_path`` and archive members all end up here, so a hostile
string, a '..' or a symlink cannot carry a write out of the workspace whatever the caller checked.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from ..exceptions import UserErrorException

# Linux's NAME_MAX: a longer segment fails with "File name too long" at the first open.
_SEGMENT_BYTES = 255


def check_text(value, field: str) -> str:
    """``value`` if it is a string a path may hold: no NUL or control characters, segments <= 255 bytes.

    Raises:
        UserErrorException: naming ``field`` and the rule it breaks.
    """
    if not isinstance(value, str):
        raise UserErrorException(f"{field} must be a string, got {type(value).__name__}")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise UserErrorException(f"{field} {value[:80]!r} must not contain NUL or control characters")
    try:
        too_long = any(
            len(part.encode("utf-8")) > _SEGMENT_BYTES for part in value.replace("\\", "/").split("/")
        )
    except UnicodeEncodeError:
        raise UserErrorException(f"{field} {value[:80]!r} is not valid text (lone surrogate)") from None
    if too_long:
        raise UserErrorException(f"{field} {value[:80]!r}...: each path segment must be at most 255 bytes")
    return value


def contained(root: Path, relative: str | PurePath = "", field: str = "path") -> Path:
    """``root/relative``, refused unless it resolves (through '..' and symlinks) inside ``root``.

    Args:
        root: the folder the write must stay in.
        relative: a path relative to ``root`` (empty for ``root`` itself).
        field: what the caller calls ``relative``, for the error message.

    Returns:
        The joined path (not resolved, so callers keep the names they asked for).

    Raises:
        UserErrorException: for text a path cannot hold, an absolute path, or one that leaves ``root``.
    """
    text = check_text(os.fspath(relative), field)
    if os.path.isabs(text) or text.startswith("\\"):
        raise UserErrorException(f"{field} {text!r} must be a relative path")
    path = root / text if text else root
    inside, resolved = os.path.realpath(root), os.path.realpath(path)
    if resolved != inside and not resolved.startswith(inside + os.sep):
        raise UserErrorException(f"{field} {text!r} resolves outside its folder {root}")
    return path
