"""``_OfflineRun``: what ``Run.get_context()`` returns outside a run, as in the SDK.

It prints what it is asked to record and stores nothing. Like the SDK's, its ``log`` has no
``step`` argument, and it lacks the read methods (``get_metrics``, ``get_status``, ...).
"""

from __future__ import annotations

import uuid


class _OfflineRun:
    def __init__(self, parent_logger=None, run_id=None, **kwargs):
        self._run_id = run_id or f"OfflineRun_{uuid.uuid4()}"

    @property
    def id(self):
        return self._run_id

    @property
    def display_name(self):
        return self._run_id

    @property
    def number(self):
        return 0

    @property
    def properties(self):
        return {}

    @property
    def tags(self):
        return {}

    @staticmethod
    def _attempt(kind: str, name, value) -> None:
        print(f"Attempted to log {kind} metric {name}:\n{value}")

    def log(self, name, value, description=""):
        self._attempt("scalar", name, value)

    def log_list(self, name, value, description=""):
        self._attempt("list", name, value)

    def log_row(self, name, description=None, **kwargs):
        self._attempt("row", name, kwargs)

    def log_table(self, name, value, description=""):
        self._attempt("table", name, value)

    def log_image(self, name, path=None, plot=None, description=""):
        self._attempt("image", name, path if path is not None else plot)

    def log_residuals(self, name, value, description=""):
        self._attempt("residuals", name, value)

    def log_predictions(self, name, value, description=""):
        self._attempt("predictions", name, value)

    def log_confusion_matrix(self, name, value, description=""):
        self._attempt("confusion matrix", name, value)

    def log_accuracy_table(self, name, value, description=""):
        self._attempt("accuracy table", name, value)

    def tag(self, key, value=None):
        print(f"Attempted to tag {key}:{value}")

    def set_tags(self, tags):
        print(f"Attempted to set tags {tags}")

    def add_properties(self, properties):
        print(f"Attempted to add properties {properties}")

    def upload_file(self, name, path_or_stream, datastore_name=None):
        print(f"Attempted to upload file {name} from {path_or_stream}")

    def upload_files(self, names, paths, return_artifacts=False, timeout_seconds=None, datastore_name=None):
        print(f"Attempted to upload files {names}")

    def upload_folder(self, name, path, datastore_name=None):
        print(f"Attempted to upload folder {path} as {name}")

    def flush(self, timeout_seconds=300):
        print("Attempted to flush")

    def complete(self, _set_status=True):
        pass

    def cancel(self):
        pass

    def fail(self, error_details=None, error_code=None, _set_status=True):
        print(f"Run failed with error code {error_code} and details {error_details}")

    def child_run(self, name=None, run_id=None, outputs=None):
        return _OfflineRun(run_id=run_id)

    def __enter__(self):
        print(f"[START] {self.id}")
        return self

    def __exit__(self, exc_type, exc_value, tb):
        print(f"[STOP] {self.id}")
        return False
