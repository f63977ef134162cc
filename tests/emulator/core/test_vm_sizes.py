"""VM sizes: a retired or unknown size is refused as Azure's resource provider refuses it."""

from __future__ import annotations

import pytest

from emulator.core import ComputeTarget
from emulator.core._launch import resolve_target
from emulator.core.compute import AmlCompute
from emulator.exceptions import ComputeTargetException


def _create(workspace, name, vm_size):
    return ComputeTarget.create(workspace, name, AmlCompute.provisioning_configuration(vm_size=vm_size))


@pytest.mark.parametrize(
    ("vm_size", "said"),
    [
        ("STANDARD_NC6S_V3", "The size series was retired on 2025-09-30."),  # V100, NCv3
        ("Standard_NC6", "The size series was retired on 2023-09-06."),  # K80, NC
        ("STANDARD_NC7_WARP", "The available VM sizes are: STANDARD_D2_V2,"),  # never existed
    ],
)
def test_retired_or_unknown_size_is_refused_and_nothing_is_stored(workspace, vm_size, said):
    with pytest.raises(ComputeTargetException, match="VMSizeNotSupported") as refused:
        _create(workspace, "gpu-cluster", vm_size)
    assert f"Virtual Machine size: '{vm_size}' is not supported" in str(refused.value)
    assert said in str(refused.value)
    with pytest.raises(ComputeTargetException, match="not found"):
        ComputeTarget(workspace, "gpu-cluster")


def test_current_sizes_are_created_in_any_case(workspace):
    assert _create(workspace, "gpu-cluster", "Standard_NC4as_T4_v3").provisioning_state == "Succeeded"
    assert _create(workspace, "a100-cluster", "STANDARD_NC24ADS_A100_V4").provisioning_state == "Succeeded"


def test_a_cluster_kept_from_before_its_size_retired_takes_no_runs(workspace):
    _create(workspace, "gpu-cluster", "STANDARD_NC4AS_T4_V3")
    record = workspace._store.get_asset("compute", "gpu-cluster")
    workspace._store.put_asset("compute", "gpu-cluster", {**record, "vm_size": "STANDARD_NC6S_V3"})
    with pytest.raises(ComputeTargetException, match="retired on 2025-09-30"):
        resolve_target(workspace, "gpu-cluster")
