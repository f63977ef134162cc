"""Data-parallel training with ``torch.distributed``, set up from the environment Azure ML gives a rank.

Azure ML (and the emulator) start one process per rank for a run submitted with
``PyTorchConfiguration`` (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR``/``MASTER_PORT``)
or ``MpiConfiguration`` (``OMPI_COMM_WORLD_*``, ``AZ_BATCHAI_MPI_MASTER_NODE``).
:func:`from_environment` joins the process group (nccl when every rank of a node has a GPU of its
own, else gloo) and returns a :class:`DataParallel` that ``TorchMLPRegressor.fit`` uses to split
each batch across the ranks and average their gradients, so N processes take the same
optimisation steps as one process would.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

_DEFAULT_MPI_PORT = "6105"  # the port Azure's MPI examples use when the job sets none


@dataclass(frozen=True)
class DataParallel:
    """This process's place in a data-parallel job (the process group is already joined)."""

    rank: int
    world_size: int
    local_rank: int
    local_world_size: int

    @property
    def is_main(self) -> bool:
        """Rank 0: the one that logs metrics and writes the model."""
        return self.rank == 0

    def threads(self, cores: int) -> int:
        """Torch threads per rank, so the ranks on one node share its cores instead of fighting over them."""
        return max(1, cores // self.local_world_size)

    def shard(self, batch: torch.Tensor) -> torch.Tensor:
        """This rank's part of a batch of row indices (possibly empty when the batch is tiny)."""
        return batch.tensor_split(self.world_size)[self.rank]

    def wrap(self, module: nn.Module) -> nn.Module:
        """``module`` with its gradients averaged over the ranks after every backward pass."""
        on_gpu = next(module.parameters()).is_cuda
        return nn.parallel.DistributedDataParallel(
            module, device_ids=[torch.cuda.current_device()] if on_gpu else None
        )

    def from_main(self, value: float) -> float:
        """Rank 0's ``value`` on every rank, so decisions taken from it (early stopping) agree."""
        tensor = torch.tensor([value], dtype=torch.float64)
        if dist.get_backend() == "nccl":
            tensor = tensor.cuda()
        dist.broadcast(tensor, src=0)
        return float(tensor.item())

    def close(self) -> None:
        dist.destroy_process_group()


def _rank_variables(env: Mapping[str, str]) -> tuple[int, int, int, int] | None:
    """(rank, world size, local rank, local world size) from Azure's PyTorch or MPI variables."""
    if "WORLD_SIZE" in env:
        world = int(env["WORLD_SIZE"])
        return int(env["RANK"]), world, int(env.get("LOCAL_RANK", 0)), int(env.get("LOCAL_WORLD_SIZE", world))
    if "OMPI_COMM_WORLD_SIZE" in env:
        return (
            int(env["OMPI_COMM_WORLD_RANK"]),
            int(env["OMPI_COMM_WORLD_SIZE"]),
            int(env.get("OMPI_COMM_WORLD_LOCAL_RANK", 0)),
            int(env.get("OMPI_COMM_WORLD_LOCAL_SIZE", env["OMPI_COMM_WORLD_SIZE"])),
        )
    return None


def from_environment(env: Mapping[str, str] | None = None) -> DataParallel | None:
    """Join the job's process group; None when this process is not one of several ranks."""
    env = os.environ if env is None else env
    variables = _rank_variables(env)
    if variables is None or variables[1] < 2:
        return None
    rank, world, local_rank, local_world = variables
    master = env.get("MASTER_ADDR") or env.get("AZ_BATCHAI_MPI_MASTER_NODE", "127.0.0.1")
    port = env.get("MASTER_PORT", _DEFAULT_MPI_PORT)
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    # nccl needs a GPU of its own per rank; ranks sharing GPUs (or with none) talk over gloo.
    backend = "nccl" if gpus >= local_world else "gloo"
    if gpus:
        torch.cuda.set_device(local_rank % gpus)
    dist.init_process_group(backend, init_method=f"tcp://{master}:{port}", rank=rank, world_size=world)
    return DataParallel(rank, world, local_rank, local_world)
