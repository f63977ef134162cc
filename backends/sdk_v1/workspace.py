"""Connect to the workspace and create or attach its compute clusters."""

from __future__ import annotations

from azureml.core import Workspace
from azureml.core.compute import AmlCompute, ComputeTarget
from azureml.exceptions import ComputeTargetException

from backends.messages import ClusterSpec, WorkspaceRef


def connect(ref: WorkspaceRef) -> Workspace:
    """The workspace ``ref`` names: by its three names, else from ``config.json``."""
    if ref.workspace_name and ref.config_path is None:
        return Workspace(
            subscription_id=ref.subscription_id,
            resource_group=ref.resource_group,
            workspace_name=ref.workspace_name,
        )
    return Workspace.from_config(path=ref.config_path)


def compute_target(ws: Workspace, cluster: ClusterSpec) -> ComputeTarget:
    """The cluster, created first if the workspace has none of that name (the SDK's usual idiom)."""
    try:
        return ComputeTarget(workspace=ws, name=cluster.name)
    except ComputeTargetException:
        config = AmlCompute.provisioning_configuration(
            vm_size=cluster.vm_size,
            min_nodes=cluster.min_nodes,
            max_nodes=cluster.max_nodes,
            idle_seconds_before_scaledown=cluster.idle_seconds,
        )
        target = ComputeTarget.create(ws, cluster.name, config)
        target.wait_for_completion(show_output=False)
        return target
