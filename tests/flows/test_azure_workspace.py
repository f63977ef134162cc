"""The whole duel against a real Azure ML workspace, when this machine has one (else skipped, saying why).

Small budgets (15 minutes of AutoML on the CPU cluster, two MLP trials on the GPU cluster), ACI
with key auth, and the service deleted after its smoke test; the clusters scale to zero when idle.
"""

from __future__ import annotations

import pytest

from flows.comparison import duel


@pytest.mark.azure
@pytest.mark.slow
def test_the_duel_runs_end_to_end_on_azure(azure_workspace, prefect_api):
    result = duel()
    assert result["winner"]["split_fingerprint"] == result["loser"]["split_fingerprint"]
    assert result["model"].startswith(f"{azure_workspace.model_name}:")
    assert result["smoke_test"]["max_rel_diff"] < 1e-4
