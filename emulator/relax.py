"""Emulator-only relaxations of Azure's limits: opt-in, named, and written on every run they touch.

The emulator refuses what Azure refuses. A quick offline run may need less than Azure allows (a
30-second AutoML budget where Azure's minimum is 15 minutes); it asks for that by name, in
``DUEL_EMULATOR_RELAX`` (comma-separated) or with :func:`allow`, and each run the relaxation lets
through carries the property ``azureml.emulator.relaxed`` saying which and why, visible in the
studio's run page. Nothing is relaxed by default.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from .exceptions import UserErrorException

RELAX_VARIABLE = "DUEL_EMULATOR_RELAX"
# The run property that names the relaxations a run depends on.
PROPERTY = "azureml.emulator.relaxed"
# The property a run gets when a relaxation actually changed its outcome (not merely was on).
USED_PROPERTY = "azureml.emulator.relaxed.used"
AUTOML_TIMEOUT = "automl-timeout"
FIRST_ITERATION_GRACE = "first-iteration-grace"
# name -> what Azure refuses that the relaxation lets through
RELAXATIONS = {
    AUTOML_TIMEOUT: "AutoML experiment_timeout_hours below Azure's minimum of 0.25 (15 minutes)",
    FIRST_ITERATION_GRACE: "AutoML's first iteration starting after the search's share of the budget and "
    "finishing past experiment_timeout (Azure cuts it at the deadline and fails a job that scored none)",
}


def _parse(text: str) -> frozenset[str]:
    names = frozenset(filter(None, (part.strip() for part in text.split(","))))
    unknown = sorted(names - set(RELAXATIONS))
    if unknown:
        raise UserErrorException(
            f"{RELAX_VARIABLE} names unknown relaxation(s) {', '.join(unknown)}; known: "
            + ", ".join(f"{name} ({why})" for name, why in RELAXATIONS.items())
        )
    return names


def allowed() -> frozenset[str]:
    """The relaxations this process (and the runs it starts) opted in to."""
    return _parse(os.environ.get(RELAX_VARIABLE, ""))


def allow(names: Iterable[str]) -> None:
    """Opt this process and the runs it starts in to ``names`` (an empty list opts out of all).

    Args:
        names: Relaxation names from :data:`RELAXATIONS`.
    """
    chosen = _parse(",".join(names))
    if chosen:
        os.environ[RELAX_VARIABLE] = ",".join(sorted(chosen))
    else:
        os.environ.pop(RELAX_VARIABLE, None)


def note(name: str, detail: str, properties: dict[str, str] | None = None) -> dict[str, str]:
    """``properties`` with the run property recording that ``name`` let ``detail`` through added.

    A run property is written once, so the relaxations a run depends on share one, joined by ``; ``.
    """
    noted = dict(properties or {})
    entry = f"{name}: {detail} (emulator only; Azure refuses this)"
    noted[PROPERTY] = f"{noted[PROPERTY]}; {entry}" if PROPERTY in noted else entry
    return noted
