"""A training job's progress in the Prefect UI: finished child runs against the budget."""

from __future__ import annotations

from prefect import get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact

from backends.messages import Progress


class ProgressArtifact:
    """Called with each :class:`Progress` of a job; the first call logs the submission."""

    def __init__(self, label: str):
        self.label = label
        self._artifact = None

    def __call__(self, progress: Progress) -> None:
        if self._artifact is None:
            get_run_logger().info("%s run %s submitted", self.label, progress.run_id)
            self._artifact = create_progress_artifact(
                progress=0.0, description=f"{self.label} {progress.run_id}: finished children"
            )
        update_progress_artifact(self._artifact, progress=progress.percent)
