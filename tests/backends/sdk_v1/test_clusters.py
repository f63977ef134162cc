"""Creating or attaching clusters, and the one-line refusals; the step code under the emulator's hook."""

from __future__ import annotations

import pytest

from backends.messages import ClusterSpec
from emulator import hook


@pytest.fixture
def clusters(emulator_backend):
    with hook.azureml_emulated():
        from backends.sdk_v1 import clusters

        yield clusters


def test_a_missing_cluster_is_created_from_the_spec(clusters, emulator_backend):
    target = clusters.compute_target(
        emulator_backend.workspace, ClusterSpec("gpu-1", "STANDARD_NC4AS_T4_V3", 3, 1, 600)
    )
    settings = target.scale_settings
    assert (target.vm_size, settings.minimum_node_count, settings.maximum_node_count) == (
        "STANDARD_NC4AS_T4_V3",
        1,
        3,
    )
    assert settings.idle_seconds_before_scaledown == 600


def test_an_existing_cluster_is_attached_as_it_is(clusters, emulator_backend):
    clusters.compute_target(emulator_backend.workspace, ClusterSpec("cpu-1", "STANDARD_DS3_V2", 2))
    attached = clusters.compute_target(emulator_backend.workspace, ClusterSpec("cpu-1", "STANDARD_DS4_V2", 8))
    assert (attached.vm_size, attached.scale_settings.maximum_node_count) == ("STANDARD_DS3_V2", 2)


def test_quota_refusal_names_the_cluster_the_size_and_what_to_change(clusters, emulator_backend, monkeypatch):
    monkeypatch.setenv("DUEL_EMULATOR_VCPU_QUOTA", "standardNCASv3_T4Family=12")
    with pytest.raises(Exception) as refused:
        clusters.compute_target(emulator_backend.workspace, ClusterSpec("gpu-2", "STANDARD_NC4AS_T4_V3", 4))
    assert type(refused.value).__name__ == "ComputeTargetException"
    message = str(refused.value)
    assert message.startswith("cluster gpu-2: no quota for 4 x STANDARD_NC4AS_T4_V3")
    assert "Additional Required: 16" in message and "DUEL_GPU_MAX_NODES" in message and "\n" not in message


def test_an_invalid_configuration_is_a_provisioning_refusal_naming_the_cluster(clusters, emulator_backend):
    with pytest.raises(
        Exception, match=r"^cluster gpu-3 \(STANDARD_NC4AS_T4_V3, 2-1 nodes\) could not be provisioned"
    ):
        clusters.compute_target(
            emulator_backend.workspace, ClusterSpec("gpu-3", "STANDARD_NC4AS_T4_V3", 1, 2)
        )
