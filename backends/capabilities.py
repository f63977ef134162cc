"""What the tasks need to know about a backend, declared by the backend: tasks ask, never test a name.

:data:`CAPABILITIES` is the one list of backend names (``DUEL_BACKEND``'s values). The values are
static, so settings and the preflight can ask before anything is opened.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capabilities:
    """One backend's limits and abilities.

    Attributes:
        name: the backend's name, as ``DUEL_BACKEND`` spells it.
        min_automl_minutes: the smallest AutoML budget the service accepts.
        sees_local_files: whether its jobs can read a file on this machine.
        distributed_backend: the process-group backend a multi-rank job uses.
        gpu: whether the sweep's cluster has GPUs.
        relaxations: the limits it can be asked, by name, to relax for a quick run (the emulator's
            ``emulator.relax`` names; a real service relaxes nothing).
    """

    name: str
    min_automl_minutes: float
    sees_local_files: bool
    distributed_backend: str
    gpu: bool
    relaxations: tuple[str, ...] = ()


# The emulator's names for the Azure limits it relaxes when asked (emulator.relax.RELAXATIONS).
AUTOML_TIMEOUT = "automl-timeout"
FIRST_ITERATION_GRACE = "first-iteration-grace"

# Azure's AutoMLConfig refuses experiment_timeout_hours below 0.25, and the v2 service the same
# 15 minutes (the service refuses the job); so does the emulator unless relaxed by name. nccl wants a
# GPU per rank, which Azure's GPU nodes give; the emulator's ranks share this machine's CPU.
_AZURE = {"min_automl_minutes": 15.0, "sees_local_files": False, "distributed_backend": "Nccl", "gpu": True}
CAPABILITIES = {
    found.name: found
    for found in (
        Capabilities(
            "emulator",
            min_automl_minutes=15.0,
            sees_local_files=True,
            distributed_backend="Gloo",
            gpu=False,
            relaxations=(AUTOML_TIMEOUT, FIRST_ITERATION_GRACE),
        ),
        Capabilities("azure", **_AZURE),
        Capabilities("azure-v2", **_AZURE),
    )
}
BACKENDS = tuple(CAPABILITIES)


def capabilities(name: str) -> Capabilities:
    """The capabilities of the backend ``name``.

    Args:
        name: one of :data:`BACKENDS`.

    Returns:
        Its :class:`Capabilities`; an unknown name raises ``ValueError`` listing the known ones.
    """
    if name not in CAPABILITIES:
        raise ValueError(f"unknown backend {name!r}: use {', '.join(BACKENDS)}")
    return CAPABILITIES[name]
