"""Dedicated vCPU quota per VM family, so a cluster Azure would refuse is refused offline too.

Azure checks a new AmlCompute cluster's ``max_nodes`` x vCPUs against the subscription's quota for
the VM family and answers ``QuotaExceeded``. The emulator has no quota unless
``DUEL_EMULATOR_VCPU_QUOTA`` sets one: ``"standardNCASv3_T4Family=0,standardDSv2Family=16"`` (family
names as the Azure portal's Quotas page spells them); a family left out is unlimited.
"""

from __future__ import annotations

import os
import re

from ..exceptions import ComputeTargetException
from ._vm_sizes import lookup

QUOTA_VARIABLE = "DUEL_EMULATOR_VCPU_QUOTA"


def family_of(vm_size: str) -> tuple[str, int]:
    """(quota family, vCPUs per node) of a VM size."""
    known = lookup(vm_size)
    if known is not None:
        return known.family, known.vcpus
    # A cluster recorded before the catalog knew its size: the digits in its name as vCPUs.
    size = vm_size.upper()
    digits = re.search(r"\d+", size)
    return f"{size.lower()}Family", int(digits.group()) if digits else 1


def _limits() -> dict[str, int]:
    text = os.environ.get(QUOTA_VARIABLE, "").strip()
    limits = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        family, _, value = item.partition("=")
        if not value.strip().isdigit():
            raise ComputeTargetException(
                f"{QUOTA_VARIABLE} entry {item!r} is not FAMILY=VCPUS (e.g. standardNCSv3Family=0)"
            )
        limits[family.strip()] = int(value)
    return limits


def check(clusters: list[dict], vm_size: str, max_nodes: int) -> None:
    """Raise what Azure raises when a cluster of ``max_nodes`` x ``vm_size`` exceeds its family's quota.

    ``clusters`` are the workspace's existing cluster records; their ``max_nodes`` count as used.
    """
    family, vcpus = family_of(vm_size)
    limit = _limits().get(family)
    if limit is None:
        return
    used = sum(
        c["max_nodes"] * family_of(c["vm_size"])[1] for c in clusters if family_of(c["vm_size"])[0] == family
    )
    required = max_nodes * vcpus
    if used + required > limit:
        raise ComputeTargetException(
            "Received bad response from Resource Provider:\nResponse Code: 400\n"
            f'Response Content: {{"error":{{"code":"QuotaExceeded","message":"Operation could not be '
            f"completed as it results in exceeding approved {family} Cores quota. Additional details - "
            f"Current Limit: {limit}, Current Usage: {used}, Additional Required: {required}, "
            f'(Minimum) New Limit Required: {used + required}."}}}}'
        )
