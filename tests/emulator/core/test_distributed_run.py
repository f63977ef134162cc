"""Distributed script runs: one process per rank with Azure's environment, one run, rank logs kept."""

from __future__ import annotations

import psutil
import pytest

from emulator.core import ScriptRunConfig
from emulator.core.compute import AmlCompute, ComputeTarget
from emulator.core.runconfig import MpiConfiguration, PyTorchConfiguration
from emulator.exceptions import ActivityFailedException, RunConfigurationException, UserErrorException

# Every rank prints its environment; ranks all-reduce (rank + 1) over gloo, so the sum proves they met.
ALL_REDUCE = """
    import os
    import torch
    import torch.distributed as dist
    from azureml.core import Run
    names = ("MASTER_ADDR", "MASTER_PORT", "WORLD_SIZE", "RANK", "LOCAL_RANK", "NODE_RANK")
    print("env", " ".join(f"{n}={os.environ[n]}" for n in names), flush=True)
    dist.init_process_group("gloo")
    value = torch.tensor([float(dist.get_rank() + 1)])
    dist.all_reduce(value)
    run = Run.get_context()
    run.log("sum", value.item())
    run.log("rank", dist.get_rank())
    dist.destroy_process_group()
"""

MPI_ENV = """
    import os
    from azureml.core import Run
    rank = int(os.environ["OMPI_COMM_WORLD_RANK"])
    print("mpi", rank, os.environ["OMPI_COMM_WORLD_SIZE"], os.environ["OMPI_COMM_WORLD_LOCAL_RANK"],
          os.environ["OMPI_COMM_WORLD_NODE_RANK"], os.environ["AZ_BATCHAI_MPI_MASTER_NODE"], flush=True)
    Run.get_context().log("size", int(os.environ["OMPI_COMM_WORLD_SIZE"]))
"""

# Rank 1 is killed while rank 0 would wait a minute: the run must fail fast and rank 0 must be ended.
# Rank 1 dies only once rank 0 has logged its pid: on a loaded machine rank 1 used to die before rank 0
# had even started its script, so rank 0 was ended before it printed (and the pid lookup found none).
ONE_RANK_DIES = """
    import os, signal, time
    from pathlib import Path
    started = Path(__file__).resolve().parent / "rank0.started"
    if os.environ["RANK"] == "1":
        while not started.exists():
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGKILL)
    print("rank 0 pid", os.getpid(), flush=True)
    started.touch()
    time.sleep(60)
"""


def test_two_gloo_ranks_meet_in_one_run_and_only_rank_0_logs(experiment, source_dir):
    config = ScriptRunConfig(
        source_dir("train.py", ALL_REDUCE),
        "train.py",
        distributed_job_config=PyTorchConfiguration(
            communication_backend="Gloo", process_count=2, node_count=2
        ),
    )
    run = experiment.submit(config)
    details = run.wait_for_completion()
    assert details["status"] == "Completed"
    # 1 + 2: both ranks took part; logged once (by rank 0), not once per rank.
    assert run.get_metrics() == {"sum": 3.0, "rank": 0}
    logs = run.get_details_with_logs()["logFiles"]
    assert "WORLD_SIZE=2 RANK=0 LOCAL_RANK=0 NODE_RANK=0" in logs["azureml-logs/70_driver_log_0.txt"]
    # Two nodes of one process each: the second rank is node 1's first process.
    assert "WORLD_SIZE=2 RANK=1 LOCAL_RANK=0 NODE_RANK=1" in logs["azureml-logs/70_driver_log_1.txt"]
    assert "MASTER_ADDR=127.0.0.1" in logs["azureml-logs/70_driver_log_1.txt"]
    assert [r.id for r in experiment.get_runs()] == [run.id]
    assert details["runDefinition"]["distributed"]["process_count"] == 2


def test_pytorch_configuration_is_recorded_on_the_run_config_as_the_sdk_does():
    config = ScriptRunConfig(".", "train.py", distributed_job_config=PyTorchConfiguration(process_count=4))
    assert (config.run_config.framework, config.run_config.communicator) == ("PyTorch", "nccl")
    assert config.run_config.pytorch.process_count == 4 and config.run_config.node_count == 1
    mpi = ScriptRunConfig(".", "train.py", distributed_job_config=MpiConfiguration(process_count_per_node=2))
    assert (mpi.run_config.framework, mpi.run_config.communicator) == ("Python", "IntelMpi")


def test_mpi_ranks_get_the_open_mpi_environment(experiment, source_dir):
    config = ScriptRunConfig(
        source_dir("train.py", MPI_ENV),
        "train.py",
        distributed_job_config=MpiConfiguration(process_count_per_node=2, node_count=1),
    )
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    logs = run.get_details_with_logs()["logFiles"]
    assert "mpi 1 2 1 0 127.0.0.1" in logs["azureml-logs/70_driver_log_1.txt"]
    assert run.get_metrics() == {"size": 2}


def test_a_killed_rank_fails_the_run_and_ends_the_others(experiment, source_dir):
    config = ScriptRunConfig(
        source_dir("train.py", ONE_RANK_DIES),
        "train.py",
        distributed_job_config=PyTorchConfiguration(communication_backend="gloo", process_count=2),
    )
    run = experiment.submit(config)
    with pytest.raises(ActivityFailedException, match="Rank 1 exited with code -9"):
        run.wait_for_completion()
    log0 = run.get_details_with_logs()["logFiles"]["azureml-logs/70_driver_log_0.txt"]
    pid = int(log0.split("rank 0 pid")[1].split()[0])
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_bad_layouts_are_refused_with_the_reason(experiment, source_dir, workspace):
    with pytest.raises(RunConfigurationException, match="must be 'Nccl' or 'Gloo'"):
        PyTorchConfiguration(communication_backend="mpi")
    folder = source_dir("train.py", MPI_ENV)
    uneven = ScriptRunConfig(folder, "train.py", distributed_job_config=PyTorchConfiguration("gloo", 3, 2))
    with pytest.raises(RunConfigurationException, match="multiple of node_count"):
        experiment.submit(uneven)
    ComputeTarget.create(
        workspace, "cpu-2", AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", max_nodes=2)
    )
    too_many = ScriptRunConfig(
        folder, "train.py", compute_target="cpu-2", distributed_job_config=MpiConfiguration(node_count=3)
    )
    with pytest.raises(UserErrorException, match="asks for 3 nodes but cluster cpu-2 has at most 2"):
        experiment.submit(too_many)
