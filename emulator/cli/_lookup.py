"""What the ``emulator`` command's arguments name: the home, the workspace, and ids given by prefix.

Ids are long (``HD_<uuid>_3``, ``AutoML_<uuid>``), so every command takes a unique prefix, as git
takes a commit's. The workspace is the one asked for, else the one ``config.json`` names, else the
only one, else the one whose newest run is the most recent (said on stderr, so a user knows).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..exceptions import AzureMLException

# A checkout of automl-duel keeps its emulator home here (its settings' default), so the command run
# inside a checkout browses that checkout's runs without DUEL_EMULATOR_HOME being exported.
CHECKOUT_HOME = Path(".duel") / "emulator"
_SHOWN = 10


class LookupFailed(LookupError):
    """An argument names nothing, or more than one thing; the message says which and what exists."""


def checkout_home(start: Path) -> Path | None:
    """The nearest ``.duel/emulator`` folder in ``start`` or above it."""
    return next((p / CHECKOUT_HOME for p in (start, *start.parents) if (p / CHECKOUT_HOME).is_dir()), None)


def use_checkout_home() -> None:
    """Point ``DUEL_EMULATOR_HOME`` at the current checkout's home when none is configured."""
    if not os.environ.get("DUEL_EMULATOR_HOME") and (found := checkout_home(Path.cwd())):
        os.environ["DUEL_EMULATOR_HOME"] = str(found)


def unique(kind: str, given: str, candidates: Iterable[str]) -> str:
    """``given`` itself if it is a candidate, else the one candidate it starts."""
    names = list(dict.fromkeys(candidates))
    if given in names:
        return given
    matches = [name for name in names if name.startswith(given)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise LookupFailed(f"{kind} {given!r} not found, nor one starting with it")
    listed = ", ".join(matches[:_SHOWN]) + (
        f" and {len(matches) - _SHOWN} more" if len(matches) > _SHOWN else ""
    )
    raise LookupFailed(f"{kind} {given!r} is ambiguous: {len(matches)} start with it: {listed}")


def run_id(workspace, given: str) -> str:
    """The full id of the run ``given`` names (a whole id or a unique prefix of one)."""
    if workspace._store.get_run(given) is not None:
        return given
    ids = [record["run_id"] for record in workspace._store.search_runs()]
    # A child's id is its parent's and a suffix (HD_<uuid>_3), so a prefix of a parent's id starts
    # its children's too: the run whose id starts all the others' is the one meant.
    matches = [run_id for run_id in ids if run_id.startswith(given)]
    ancestor = [run_id for run_id in matches if all(other.startswith(run_id) for other in matches)]
    return ancestor[0] if ancestor else unique("run id", given, ids)


def model_name(workspace, given: str) -> tuple[str, int | None]:
    """(name, version) of ``given``: a model name, a unique prefix of one, or ``name:version``."""
    from ..core import Model

    name, _, version = given.partition(":")
    if version and not version.isdigit():
        raise LookupFailed(f"model id {given!r}: the version after ':' must be a number")
    full = unique("model name", name, (model.name for model in Model.list(workspace)))
    return full, int(version) if version else None


def service_name(workspace, given: str) -> str:
    """The full name of the service ``given`` names (a whole name or a unique prefix)."""
    from ..core import Webservice

    return unique("service name", given, (service.name for service in Webservice.list(workspace)))


def _latest_activity(workspace) -> float:
    records = workspace._store.search_runs(parent_id=None)
    return max((r["start_time"] or r["created"] or 0.0 for r in records), default=0.0)


def workspace(name: str | None):
    """(the workspace, a note for stderr or None): named, from config.json, the only one, or the latest."""
    from ..core.workspace import Workspace, emulator_home

    if name:
        return Workspace.get(name), None
    try:
        return Workspace.from_config(), None
    except AzureMLException:
        pass
    home = emulator_home()
    found = sorted(p.parent.name for p in home.glob("*/workspace.json"))
    if not found:
        raise LookupFailed(f"no workspace in {home}: run a duel first, or set DUEL_EMULATOR_HOME")
    if len(found) == 1:
        return Workspace.get(found[0]), None
    latest = max((Workspace.get(n) for n in found), key=_latest_activity)
    others = ", ".join(n for n in found if n != latest.name)
    return latest, f"workspace {latest.name} (latest run) in {home}; also {others}: pick one with -w"
