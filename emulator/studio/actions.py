"""The studio's two writes, made through the emulator's own SDK surface: Promote and Cancel."""

from __future__ import annotations

from emulator.core import Run, Workspace
from emulator.exceptions import AzureMLException
from emulator.store import TERMINAL_STATUSES

from .runs import get_record


class ActionRefused(ValueError):
    """The request cannot be carried out as asked (the app answers 400 or 409 with the message)."""

    def __init__(self, message: str, status_code: int = 400):
        super().__init__(message)
        self.status_code = status_code


def promote(
    workspace: Workspace, run_id: str, model_name: str, model_path: str, tags: dict | None = None
) -> dict:
    """Register the run's artifact ``model_path`` (a file or folder) as the next version of ``model_name``."""
    get_record(workspace._store, run_id)
    if not isinstance(model_name, str) or not model_name.strip():
        raise ActionRefused("model_name is required")
    if not isinstance(model_path, str) or not model_path.strip():
        raise ActionRefused("model_path is required: a file or folder among the run's outputs")
    try:
        model = Run.get(workspace, run_id).register_model(model_name.strip(), model_path.strip(), tags=tags)
    except AzureMLException as error:
        raise ActionRefused(str(error)) from None
    return {"name": model.name, "version": model.version, "run_id": model.run_id}


def cancel(workspace: Workspace, run_id: str) -> dict:
    """Cancel a live run (and its live children), terminating their processes."""
    record = get_record(workspace._store, run_id)
    if record["status"] in TERMINAL_STATUSES:
        raise ActionRefused(f"run {run_id} already ended ({record['status']})", status_code=409)
    run = Run.get(workspace, run_id)
    run.cancel()
    return {"run_id": run_id, "status": run.get_status()}
