"""The exploration switchboard: combinations the recipe refuses are refused with the reason."""

from __future__ import annotations

import pytest

from backends import capabilities
from tasks.exploration import ExplorationSpec, ModelSwitch


@pytest.mark.parametrize(
    ("switches", "reason"),
    [
        ({"models": "randomforest", "hyperdrive": True}, "hyperdrive=True sweeps the PyTorch network"),
        ({"models": "sklearnmodels", "hyperdrive": True}, "needs models='deeplearning'"),
        ({"models": "sklearnmodels", "process_count": 2}, "only models='deeplearning' trains on several"),
        ({"models": "randomforest", "subset": 5}, "subset must be at least 10"),
        ({"models": "deeplearning", "process_count": 3, "node_count": 2}, "multiple of node_count=2"),
        ({"models": "sklearnmodels", "max_concurrent_models": 0}, "max_concurrent_models must be positive"),
    ],
)
def test_refused_combinations_say_why(switches, reason):
    with pytest.raises(ValueError, match=reason):
        ExplorationSpec(**switches)


def test_an_unknown_switch_is_refused():
    with pytest.raises(ValueError, match="'boosting' is not a valid ModelSwitch"):
        ExplorationSpec(models="boosting")


def test_a_local_file_cannot_feed_an_azure_cluster():
    spec = ExplorationSpec(models=ModelSwitch.RANDOMFOREST, data_local=True)
    spec.check_backend(capabilities("emulator"))
    with pytest.raises(ValueError, match="pass data_local=False"):
        spec.check_backend(capabilities("azure"))


def test_deeplearning_accepts_a_distributed_sweep():
    spec = ExplorationSpec(models="deeplearning", hyperdrive=True, process_count=4, node_count=2)
    assert spec.models is ModelSwitch.DEEPLEARNING
