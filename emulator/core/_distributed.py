"""Distributed script runs: one real process per rank, as Azure ML starts them on a cluster.

``ScriptRunConfig(distributed_job_config=PyTorchConfiguration(process_count=N, node_count=M))``
(or ``MpiConfiguration(process_count_per_node=P, node_count=M)``) makes one run whose launcher
process (``emulator._child``) starts N rank processes on this machine, each running the script
with the environment Azure gives a rank: ``MASTER_ADDR``, ``MASTER_PORT``, ``WORLD_SIZE``,
``RANK``, ``LOCAL_RANK``, ``NODE_RANK`` for PyTorch, the ``OMPI_COMM_WORLD_*`` names and
``AZ_BATCHAI_MPI_MASTER_NODE`` for MPI. Every rank's output goes to its own
``azureml-logs/70_driver_log_<rank>.txt``; only rank 0 logs metrics (the others' ``log`` calls
are dropped, so a metric is not recorded N times). A rank that exits with an error fails the run
and the other ranks are terminated, as Azure ends a job whose process died.

"Nodes" are simulated: every rank runs here, ``NODE_RANK``/``LOCAL_RANK`` follow the layout
``rank = node_rank * per_node + local_rank``, and the run holds one node of its cluster.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass

from ..exceptions import RunConfigurationException

MASTER_ADDR = "127.0.0.1"
_POLL_SECONDS = 0.1
_GRACE_SECONDS = 5.0


def rank_log(rank: int) -> str:
    """The artifact name of a rank's output, as Azure ML names it."""
    return f"azureml-logs/70_driver_log_{rank}.txt"


@dataclass(frozen=True)
class Layout:
    """How many processes a distributed run starts, on how many (simulated) nodes."""

    kind: str  # "pytorch" or "mpi"
    process_count: int
    node_count: int
    backend: str | None = None  # the PyTorch communication backend

    @property
    def per_node(self) -> int:
        return self.process_count // self.node_count

    def environment(self, rank: int, master_port: int) -> dict[str, str]:
        """The variables Azure ML sets for ``rank``."""
        node_rank, local_rank = divmod(rank, self.per_node)
        env = {"MASTER_ADDR": MASTER_ADDR, "MASTER_PORT": str(master_port)}
        if self.kind == "mpi":
            # MASTER_* are an emulator addition: Azure gives MPI ranks only the master node's address,
            # and scripts that rendezvous with torch.distributed pick a port themselves.
            return env | {
                "AZ_BATCHAI_MPI_MASTER_NODE": MASTER_ADDR,
                "OMPI_COMM_WORLD_RANK": str(rank),
                "OMPI_COMM_WORLD_SIZE": str(self.process_count),
                "OMPI_COMM_WORLD_LOCAL_RANK": str(local_rank),
                "OMPI_COMM_WORLD_LOCAL_SIZE": str(self.per_node),
                "OMPI_COMM_WORLD_NODE_RANK": str(node_rank),
            }
        return env | {
            "WORLD_SIZE": str(self.process_count),
            "RANK": str(rank),
            "LOCAL_RANK": str(local_rank),
            "NODE_RANK": str(node_rank),
            "LOCAL_WORLD_SIZE": str(self.per_node),
        }


def layout_of(run_config) -> Layout | None:
    """The run's process layout, or None for an ordinary (single-process) run; bad counts raise."""
    if run_config.communicator == "IntelMpi":
        mpi = run_config.mpi
        per_node, nodes = (
            _positive(mpi.process_count_per_node, "process_count_per_node"),
            _positive(mpi.node_count, "node_count"),
        )
        return Layout("mpi", per_node * nodes, nodes)
    if run_config.framework == "PyTorch":
        pytorch = run_config.pytorch
        nodes = _positive(pytorch.node_count, "node_count")
        count = _positive(
            pytorch.process_count if pytorch.process_count is not None else nodes, "process_count"
        )
        if count % nodes:
            raise RunConfigurationException(
                f"process_count={count} must be a multiple of node_count={nodes}: each node runs the same "
                "number of processes"
            )
        return Layout("pytorch", count, nodes, pytorch.communication_backend)
    return None


def _positive(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RunConfigurationException(f"{name} must be a positive integer, got {value!r}")
    return value


def as_record(layout: Layout) -> dict:
    return asdict(layout)


def from_record(record: dict | None) -> Layout | None:
    return Layout(**record) if record else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((MASTER_ADDR, 0))
        return probe.getsockname()[1]


def run_ranks(run, layout: Layout, script: str, args: list[str]) -> tuple[str, dict | None]:
    """Start every rank of ``run``, wait for them and return the run's final status and error.

    The first rank to fail ends the others; a cancel (``_Canceled`` raised in this thread by
    SIGTERM) ends them all before it propagates.
    """
    store, port = run._store, _free_port()
    ranks: list[subprocess.Popen] = []
    try:
        for rank in range(layout.process_count):
            name = rank_log(rank)
            path = store.artifact_path(run.id, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            store.add_artifacts(run.id, [(name, 0)])
            with open(path, "ab") as log:
                ranks.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "emulator._rank", str(rank), script, *args],
                        env={**os.environ, **layout.environment(rank, port)},
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        print(
            f"started {layout.process_count} {layout.kind} processes on {layout.node_count} node(s)",
            flush=True,
        )
        failure = _wait_all(ranks)
    finally:
        _terminate(ranks)
        store.add_artifacts(
            run.id,
            [
                (rank_log(r), store.artifact_path(run.id, rank_log(r)).stat().st_size)
                for r in range(len(ranks))
            ],
        )
    if failure is None:
        return "Completed", None
    rank, code = failure
    message = f"Rank {rank} exited with code {code}; the other ranks were terminated (see {rank_log(rank)})"
    print(message, flush=True)
    return "Failed", {"code": "UserError", "message": message}


def _wait_all(ranks: list[subprocess.Popen]) -> tuple[int, int] | None:
    """None when every rank exits 0, else (rank, exit code) of the first that did not."""
    while True:
        codes = [process.poll() for process in ranks]
        for rank, code in enumerate(codes):
            if code not in (None, 0):
                return rank, code
        if all(code == 0 for code in codes):
            return None
        time.sleep(_POLL_SECONDS)


def _terminate(ranks: list[subprocess.Popen]) -> None:
    alive = [process for process in ranks if process.poll() is None]
    for process in alive:
        process.terminate()
    deadline = time.monotonic() + _GRACE_SECONDS
    for process in alive:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
