"""Where the emulator keeps its workspaces."""

from __future__ import annotations

import os
from pathlib import Path

# Set by ``emulator.hook.install(home=...)``: a caller that names its home explicitly wins over the
# environment, so a library can pick the home without writing ``os.environ``.
_explicit_home: Path | None = None


def use_home(home: str | os.PathLike | None) -> None:
    """Make ``home`` this process's emulator home (``None``: back to ``DUEL_EMULATOR_HOME``)."""
    global _explicit_home
    _explicit_home = Path(home).expanduser().resolve() if home is not None else None


def emulator_home() -> Path:
    """The home named by :func:`use_home`, else ``DUEL_EMULATOR_HOME``, else the per-user data folder
    (``$XDG_DATA_HOME/automl-duel/emulator``)."""
    if _explicit_home is not None:
        return _explicit_home
    configured = os.environ.get("DUEL_EMULATOR_HOME")
    if configured:
        return Path(configured).expanduser().resolve()
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(data_home) / "automl-duel" / "emulator"
