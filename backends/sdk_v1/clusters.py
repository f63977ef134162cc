"""Create or attach the AmlCompute clusters: CPU for AutoML, GPU for the HyperDrive trials.

The SDK's own idiom (``ComputeTarget(ws, name)``, else ``ComputeTarget.create`` and
``wait_for_completion``), plus what the idiom leaves out: ``wait_for_completion`` only prints a
failed provisioning, and a quota refusal arrives as a raw resource-provider response. Both become
one ``ComputeTargetException`` naming the cluster and the setting to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from azureml.core.compute import AmlCompute, ComputeTarget
from azureml.exceptions import ComputeTargetException


@dataclass(frozen=True)
class ClusterSpec:
    """One cluster as the settings describe it; ``role`` ("cpu" or "gpu") names its settings."""

    role: str
    name: str
    vm_size: str
    min_nodes: int
    max_nodes: int
    idle_seconds_before_scaledown: int

    @property
    def setting(self) -> str:
        """The prefix of this cluster's settings (``DUEL_GPU_VM_SIZE``, ``DUEL_GPU_MAX_NODES``, ...)."""
        return f"DUEL_{self.role.upper()}"


def provisioning_configuration(spec: ClusterSpec):
    """The SDK's provisioning configuration: dedicated nodes scaling to ``min_nodes`` when idle."""
    return AmlCompute.provisioning_configuration(
        vm_size=spec.vm_size,
        min_nodes=spec.min_nodes,
        max_nodes=spec.max_nodes,
        idle_seconds_before_scaledown=spec.idle_seconds_before_scaledown,
    )


def _refusal(spec: ClusterSpec, detail: object) -> ComputeTargetException:
    text = " ".join(str(detail).split())
    if "quota" in text.lower():
        return ComputeTargetException(
            f"cluster {spec.name}: no quota for {spec.max_nodes} x {spec.vm_size} ({text}); request more "
            f"cores for that VM family on the subscription's Quotas page, or lower {spec.setting}_MAX_NODES "
            f"or pick another {spec.setting}_VM_SIZE"
        )
    return ComputeTargetException(
        f"cluster {spec.name} ({spec.vm_size}, {spec.min_nodes}-{spec.max_nodes} nodes) could not be "
        f"provisioned: {text}"
    )


def create_or_attach(workspace, spec: ClusterSpec):
    """The workspace's cluster ``spec.name``, created from ``spec`` if it does not exist yet.

    An existing cluster is attached as it is (its size is the workspace owner's call).
    """
    try:
        return ComputeTarget(workspace=workspace, name=spec.name)
    except ComputeTargetException:
        pass
    try:
        target = ComputeTarget.create(workspace, spec.name, provisioning_configuration(spec))
        target.wait_for_completion(show_output=False)
    except ComputeTargetException as exc:
        raise _refusal(spec, getattr(exc, "message", "") or exc) from exc
    if str(target.provisioning_state).lower() != "succeeded":
        raise _refusal(spec, target.provisioning_errors or f"provisioning state {target.provisioning_state}")
    return target
