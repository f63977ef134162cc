"""Opt-in departures from Azure for quick offline runs; each is off unless asked for and is written on
the run it changes (a property named ``emulator_relaxation``).

``first_iteration_grace``: an AutoML experiment submitted while it is on starts its first iteration
whatever time is left and lets it finish past ``experiment_timeout_*`` (Azure cuts an iteration at
the experiment's deadline and fails a job that scored none). A demo on a busy machine then still
ends with a model; the parent run records by how much the first iteration overran.
"""

from __future__ import annotations

FIRST_ITERATION_GRACE = "first_iteration_grace"
RELAXATION_PROPERTY = "emulator_relaxation"

_granted: set[str] = set()


def allow_first_iteration_grace(allowed: bool) -> None:
    """Turn ``first_iteration_grace`` on or off for AutoML experiments this process submits."""
    if allowed:
        _granted.add(FIRST_ITERATION_GRACE)
    else:
        _granted.discard(FIRST_ITERATION_GRACE)


def granted() -> tuple[str, ...]:
    """The relaxations now on in this process, by name."""
    return tuple(sorted(_granted))
