"""The VM sizes an AmlCompute cluster may have: a small catalog, so a size Azure refuses is refused.

Source: Microsoft Learn, "Sizes for virtual machines in Azure" and "Retired Azure VM size series"
(learn.microsoft.com/azure/virtual-machines/sizes/overview and .../sizes/retirement/retired-sizes-list),
as of 2026-12-05. NC (K80), NCv2 (P100) and ND (P40) retired on 2023-09-06; NCv3 (V100) on
2025-09-30. Sizes outside the catalog are refused as unknown: add a row (with its quota family
as the portal's Quotas page spells it) when Azure offers a size this project needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..exceptions import ComputeTargetException


@dataclass(frozen=True)
class VmSize:
    """One size: its quota family, vCPUs per node, GPU architecture, and retirement date if retired."""

    family: str
    vcpus: int
    gpu: str | None = None  # e.g. "Turing sm_75"
    retired: str | None = None  # ISO date


_NCV3 = "2025-09-30"
_OLD_GPU = "2023-09-06"
CATALOG: dict[str, VmSize] = {
    "STANDARD_D2_V2": VmSize("standardDv2Family", 2),
    "STANDARD_D3_V2": VmSize("standardDv2Family", 4),
    "STANDARD_DS2_V2": VmSize("standardDSv2Family", 2),
    "STANDARD_DS3_V2": VmSize("standardDSv2Family", 4),
    "STANDARD_DS4_V2": VmSize("standardDSv2Family", 8),
    "STANDARD_D4S_V3": VmSize("standardDSv3Family", 4),
    "STANDARD_E8_V5": VmSize("standardEv5Family", 8),
    "STANDARD_F4S_V2": VmSize("standardFSv2Family", 4),
    "STANDARD_NC4AS_T4_V3": VmSize("standardNCASv3_T4Family", 4, "Turing sm_75"),
    "STANDARD_NC8AS_T4_V3": VmSize("standardNCASv3_T4Family", 8, "Turing sm_75"),
    "STANDARD_NC16AS_T4_V3": VmSize("standardNCASv3_T4Family", 16, "Turing sm_75"),
    "STANDARD_NC24ADS_A100_V4": VmSize("standardNCADSA100v4Family", 24, "Ampere sm_80"),
    "STANDARD_NC48ADS_A100_V4": VmSize("standardNCADSA100v4Family", 48, "Ampere sm_80"),
    "STANDARD_NC40ADS_H100_V5": VmSize("standardNCadsH100v5Family", 40, "Hopper sm_90"),
    "STANDARD_NC6S_V3": VmSize("standardNCSv3Family", 6, "Volta sm_70", _NCV3),
    "STANDARD_NC12S_V3": VmSize("standardNCSv3Family", 12, "Volta sm_70", _NCV3),
    "STANDARD_NC24S_V3": VmSize("standardNCSv3Family", 24, "Volta sm_70", _NCV3),
    "STANDARD_NC6": VmSize("standardNCFamily", 6, "Kepler sm_37", _OLD_GPU),
    "STANDARD_NC6S_V2": VmSize("standardNCSv2Family", 6, "Pascal sm_60", _OLD_GPU),
    "STANDARD_ND6S": VmSize("standardNDSFamily", 6, "Pascal sm_61", _OLD_GPU),
}


def lookup(vm_size: str) -> VmSize | None:
    """The catalog's row for ``vm_size`` (any case), or None."""
    return CATALOG.get(vm_size.upper())


def check(vm_size: str, location: str = "the emulator's region") -> None:
    """Raise what Azure answers when a cluster asks for a retired or unknown size.

    Args:
        vm_size: The size asked for (``Standard_NC4as_T4_v3`` or any case).
        location: The region named in the message.

    Raises:
        ComputeTargetException: The resource provider's ``VMSizeNotSupported`` response.
    """
    size = lookup(vm_size)
    if size is not None and size.retired is None:
        return
    available = ",".join(name for name, row in CATALOG.items() if row.retired is None)
    retired = f" The size series was retired on {size.retired}." if size is not None else ""
    raise ComputeTargetException(
        "Received bad response from Resource Provider:\nResponse Code: 400\n"
        f'Response Content: {{"error":{{"code":"VMSizeNotSupported","message":"Virtual Machine size: '
        f"'{vm_size}' is not supported for subscription in location '{location}'.{retired} "
        f'The available VM sizes are: {available}"}}}}'
    )
