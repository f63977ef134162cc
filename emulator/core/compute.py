"""``ComputeTarget`` and ``AmlCompute``: named clusters whose ``max_nodes`` bounds concurrent runs.

A cluster holds ``max_nodes`` slots in the workspace store; a run submitted to it stays Queued
until it takes a slot, and gives it back when it ends (or when its process is found dead).
GPU VM sizes (the N series) see the machine's GPUs; other sizes run with CUDA hidden.
"""

from __future__ import annotations

import time

from ..exceptions import ComputeTargetException
from ..store import TERMINAL_STATUSES
from . import _names, _process, _quota, _vm_sizes

_KIND = "compute"
LOCAL = "local"


class ScaleSettings:
    def __init__(self, minimum_node_count, maximum_node_count, idle_seconds_before_scaledown):
        self.minimum_node_count = minimum_node_count
        self.maximum_node_count = maximum_node_count
        self.idle_seconds_before_scaledown = idle_seconds_before_scaledown


class AmlComputeProvisioningConfiguration:
    """What ``AmlCompute.provisioning_configuration`` returns; ``validate_configuration`` checks it."""

    def __init__(
        self, vm_size, vm_priority, min_nodes, max_nodes, idle_seconds_before_scaledown, tags, description
    ):
        self.vm_size = vm_size
        self.vm_priority = vm_priority
        self.min_nodes = min_nodes
        self.max_nodes = max_nodes
        self.idle_seconds_before_scaledown = idle_seconds_before_scaledown
        self.tags = tags
        self.description = description

    def validate_configuration(self):
        if self.vm_priority not in ("dedicated", "lowpriority"):
            raise ComputeTargetException(
                f"Invalid vm_priority {self.vm_priority!r}: expected dedicated or lowpriority"
            )
        for field in ("min_nodes", "max_nodes"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ComputeTargetException(
                    f"Invalid configuration, {field} must be a non-negative integer, got {value!r}"
                )
        if self.max_nodes < 1 or self.max_nodes < self.min_nodes:
            raise ComputeTargetException(
                f"Invalid configuration, max_nodes ({self.max_nodes}) must be at least 1 and at least min_nodes ({self.min_nodes})"
            )


class ComputeTarget:
    """The compute target ``name``; ComputeTargetException if the workspace has none by that name."""

    def __new__(cls, workspace=None, name=None):
        if cls is ComputeTarget and workspace is not None:
            return super().__new__(AmlCompute)
        return super().__new__(cls)

    def __init__(self, workspace, name):
        payload = workspace._store.get_asset(_KIND, name)
        if payload is None:
            raise ComputeTargetException(
                f"ComputeTargetNotFound: Compute Target with name {name} not found in provided workspace"
            )
        self.workspace = workspace
        self.name = name
        self._payload = payload
        self.type = payload["type"]
        self.vm_size = payload["vm_size"]
        self.vm_priority = payload["vm_priority"]
        self.provisioning_state = payload["provisioning_state"]
        self.provisioning_errors = payload.get("provisioning_errors")
        self.tags = payload.get("tags") or {}
        self.description = payload.get("description")
        self.scale_settings = ScaleSettings(
            payload["min_nodes"], payload["max_nodes"], payload["idle_seconds"]
        )

    @staticmethod
    def create(workspace, name, provisioning_configuration):
        """Create cluster ``name`` from ``AmlCompute.provisioning_configuration(...)``."""
        _names.compute_name(name)
        if workspace._store.get_asset(_KIND, name) is not None:
            raise ComputeTargetException(f"Compute with name {name} already exists in the workspace")
        config = provisioning_configuration
        config.validate_configuration()
        _vm_sizes.check(config.vm_size)
        _quota.check(workspace._store.list_assets(_KIND), config.vm_size, config.max_nodes)
        workspace._store.put_asset(
            _KIND,
            name,
            {
                "name": name,
                "type": "AmlCompute",
                "vm_size": config.vm_size,
                "vm_priority": config.vm_priority,
                "min_nodes": config.min_nodes,
                "max_nodes": config.max_nodes,
                "idle_seconds": config.idle_seconds_before_scaledown,
                "tags": config.tags,
                "description": config.description,
                "provisioning_state": "Succeeded",
                "created": time.time(),
            },
        )
        return ComputeTarget(workspace, name)

    @staticmethod
    def list(workspace):
        return [ComputeTarget(workspace, payload["name"]) for payload in workspace._store.list_assets(_KIND)]

    def wait_for_completion(self, show_output=False, is_delete_operation=False):
        """Provisioning is immediate in the emulator."""
        if show_output:
            print(f'Provisioning operation finished, operation "{self.provisioning_state}"')

    def get_status(self):
        return self.provisioning_state

    def delete(self):
        self.workspace._store.delete_asset(_KIND, self.name)

    def __repr__(self):
        return f"{type(self).__name__}(workspace={self.workspace.name}, name={self.name}, vm_size={self.vm_size})"


class AmlCompute(ComputeTarget):
    """A managed cluster: ``AmlCompute(ws, name)`` or ``ComputeTarget.create(ws, name, config)``."""

    def wait_for_completion(
        self, show_output=False, min_node_count=None, timeout_in_minutes=25, is_delete_operation=False
    ):
        """Provisioning is immediate in the emulator; the node count and timeout have nothing to wait for."""
        super().wait_for_completion(show_output=show_output, is_delete_operation=is_delete_operation)

    @staticmethod
    def provisioning_configuration(
        vm_size="",
        vm_priority="dedicated",
        min_nodes=0,
        max_nodes=None,
        idle_seconds_before_scaledown=1800,
        admin_username=None,
        admin_user_password=None,
        admin_user_ssh_key=None,
        vnet_resourcegroup_name=None,
        vnet_name=None,
        subnet_name=None,
        tags=None,
        description=None,
        remote_login_port_public_access="NotSpecified",
        identity_type=None,
        identity_id=None,
        location=None,
        enable_node_public_ip=True,
    ):
        config = AmlComputeProvisioningConfiguration(
            vm_size or "STANDARD_DS3_V2",
            vm_priority,
            min_nodes,
            4 if max_nodes is None else max_nodes,
            idle_seconds_before_scaledown,
            tags,
            description,
        )
        config.validate_configuration()
        return config


def _is_gpu(vm_size: str | None) -> bool:
    return bool(vm_size) and vm_size.upper().startswith("STANDARD_N")


def resolve_target(workspace, compute_target) -> dict:
    """Details recorded on a run for ``compute_target`` (a name, a ComputeTarget or None for local)."""
    if compute_target is None or compute_target == LOCAL:
        return {"target": LOCAL, "vmSize": None, "maxNodes": None, "gpu": True}
    name = compute_target.name if isinstance(compute_target, ComputeTarget) else compute_target
    target = ComputeTarget(workspace, name)
    size = target.vm_size
    known = _vm_sizes.lookup(size or "")
    if known is not None and known.retired:
        _vm_sizes.check(size)  # a cluster kept from before its size was retired gets no nodes
    return {
        "target": name,
        "vmSize": size,
        "maxNodes": target.scale_settings.maximum_node_count,
        "gpu": _is_gpu(size),
    }


def acquire_slot(workspace, target: dict, run_id: str) -> bool:
    """Take a node of the run's cluster; True at once for local runs."""
    if target["maxNodes"] is None:
        return True

    def stale(slot: dict) -> bool:
        holder = workspace._store.get_run(slot["holder"])
        return (
            holder is None
            or holder["status"] in TERMINAL_STATUSES
            or not _process.alive(holder["pid"], holder["pid_started"])
        )

    return workspace._store.acquire_slot(target["target"], target["maxNodes"], run_id, stale)


def release_slot(workspace, target: dict, run_id: str) -> None:
    if target["maxNodes"] is not None:
        workspace._store.release_slot(target["target"], run_id)
