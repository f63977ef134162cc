"""Create or attach the AmlCompute clusters: CPU for AutoML, GPU for the HyperDrive trials.

The SDK's own idiom (``ComputeTarget(ws, name)``, else ``ComputeTarget.create`` and
``wait_for_completion``), plus what the idiom leaves out: ``wait_for_completion`` only prints a
failed provisioning, and a quota refusal arrives as a raw resource-provider response. Both become
one ``ComputeTargetException`` naming the cluster and what to change.
"""

from __future__ import annotations

from azureml.core.compute import AmlCompute, ComputeTarget
from azureml.exceptions import ComputeTargetException

from backends.messages import ClusterSpec


def provisioning_configuration(cluster: ClusterSpec):
    """Dedicated nodes of ``vm_size``, scaling down to ``min_nodes`` after ``idle_seconds`` idle."""
    return AmlCompute.provisioning_configuration(
        vm_size=cluster.vm_size,
        min_nodes=cluster.min_nodes,
        max_nodes=cluster.max_nodes,
        idle_seconds_before_scaledown=cluster.idle_seconds,
    )


def _refusal(cluster: ClusterSpec, detail: object) -> ComputeTargetException:
    text = " ".join(str(detail).split())
    if "quota" in text.lower():
        return ComputeTargetException(
            f"cluster {cluster.name}: no quota for {cluster.max_nodes} x {cluster.vm_size} ({text}). Request "
            "more cores for that VM family on the subscription's Quotas page, or lower the cluster's max "
            "nodes (DUEL_CPU_MAX_NODES / DUEL_GPU_MAX_NODES) or pick another VM size "
            "(DUEL_CPU_VM_SIZE / DUEL_GPU_VM_SIZE)"
        )
    return ComputeTargetException(
        f"cluster {cluster.name} ({cluster.vm_size}, {cluster.min_nodes}-{cluster.max_nodes} nodes) could not "
        f"be provisioned: {text}"
    )


def compute_target(ws, cluster: ClusterSpec) -> ComputeTarget:
    """The workspace's cluster ``cluster.name``, created from ``cluster`` if it does not exist yet.

    An existing cluster is attached as it is: its size is the workspace owner's call.
    """
    try:
        return ComputeTarget(workspace=ws, name=cluster.name)
    except ComputeTargetException:
        pass
    try:
        target = ComputeTarget.create(ws, cluster.name, provisioning_configuration(cluster))
        target.wait_for_completion(show_output=False)
    except ComputeTargetException as refused:
        raise _refusal(cluster, getattr(refused, "message", "") or refused) from refused
    if str(target.provisioning_state).lower() != "succeeded":
        raise _refusal(
            cluster, target.provisioning_errors or f"provisioning state {target.provisioning_state}"
        )
    return target
