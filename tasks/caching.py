"""When a finished training job may be reused: within one night, never across nights.

A night is one root flow run (the nightly flow, or one `automl-duel` run started by hand). Its
retries — Prefect's own flow retries, or `prefect flow-run retry <id>` after a crash — are the same
root flow run, so they pick up the jobs that already finished; the next night is a new root flow run
and trains again, even on unchanged data. Within a night the key also covers the task's inputs (the
settings and the data references, whose split fingerprint names the data) and the task's source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prefect.cache_policies import INPUTS, TASK_SOURCE, CachePolicy
from prefect.runtime import flow_run


@dataclass
class Night(CachePolicy):
    """Keys on the root flow run, so a subflow re-created by its parent's retry still finds its cache.

    Prefect's ``RUN_ID`` keys on the task's own flow run, which a parent's retry replaces with a fresh
    subflow run when the subflow failed; the root flow run stays the same.
    """

    def compute_key(
        self, task_ctx, inputs: dict[str, Any], flow_parameters: dict[str, Any], **kwargs
    ) -> str | None:
        if task_ctx is None or task_ctx.task_run.flow_run_id is None:
            return None
        return str(flow_run.root_flow_run_id)


NIGHT = Night()
TRAINING_JOB = INPUTS + TASK_SOURCE + NIGHT
"""The cache policy of the two training jobs (``automl-job``, ``hyperdrive-sweep``)."""
