"""The emulator's vCPU quota: a cluster beyond its VM family's quota is refused as Azure refuses it."""

from __future__ import annotations

import pytest

from emulator.core import ComputeTarget
from emulator.core._quota import QUOTA_VARIABLE, family_of
from emulator.core.compute import AmlCompute
from emulator.exceptions import ComputeTargetException


def _create(workspace, name, vm_size, max_nodes):
    config = AmlCompute.provisioning_configuration(vm_size=vm_size, max_nodes=max_nodes)
    return ComputeTarget.create(workspace, name, config)


def test_without_a_quota_setting_any_cluster_is_created(workspace, monkeypatch):
    monkeypatch.delenv(QUOTA_VARIABLE, raising=False)
    assert _create(workspace, "gpu-cluster", "STANDARD_NC4AS_T4_V3", 100).provisioning_state == "Succeeded"


def test_a_family_without_quota_refuses_the_cluster_and_stores_nothing(workspace, monkeypatch):
    monkeypatch.setenv(QUOTA_VARIABLE, "standardNCASv3_T4Family=0")
    with pytest.raises(ComputeTargetException, match="QuotaExceeded") as refused:
        _create(workspace, "gpu-cluster", "STANDARD_NC4AS_T4_V3", 4)
    # Azure's message names the family and the cores the request needed (4 nodes x 4 vCPUs).
    assert "standardNCASv3_T4Family" in str(refused.value) and "Additional Required: 16" in str(refused.value)
    with pytest.raises(ComputeTargetException, match="not found"):
        ComputeTarget(workspace, "gpu-cluster")
    # Other families are unlimited.
    assert _create(workspace, "cpu-cluster", "STANDARD_DS3_V2", 4).vm_size == "STANDARD_DS3_V2"


def test_existing_clusters_of_the_family_use_up_its_quota(workspace, monkeypatch):
    monkeypatch.setenv(QUOTA_VARIABLE, "standardDSv2Family=16")
    _create(workspace, "cpu-a", "STANDARD_DS3_V2", 3)  # 12 of 16 vCPUs
    with pytest.raises(ComputeTargetException, match="Current Usage: 12, Additional Required: 8"):
        _create(workspace, "cpu-b", "STANDARD_DS3_V2", 2)
    assert _create(workspace, "cpu-c", "STANDARD_DS2_V2", 2).name == "cpu-c"  # 4 more vCPUs fit


def test_a_malformed_quota_setting_names_the_entry(workspace, monkeypatch):
    monkeypatch.setenv(QUOTA_VARIABLE, "standardNCASv3_T4Family=lots")
    with pytest.raises(ComputeTargetException, match="standardNCASv3_T4Family=lots"):
        _create(workspace, "gpu-cluster", "STANDARD_NC4AS_T4_V3", 1)


def test_unknown_sizes_count_the_vcpus_in_their_name():
    assert family_of("Standard_NC4as_T4_v3") == ("standardNCASv3_T4Family", 4)
    assert family_of("STANDARD_Q7_V9") == ("standard_q7_v9Family", 7)
