"""``Run``'s details, environment, model registration and portal link, read from its record."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from ..exceptions import UserErrorException


def _utc(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class RunDetailsMixin:
    def get_details(self):
        record = self._record()
        details = {
            "runId": record["run_id"],
            "target": record["details"].get("target", "local"),
            "status": record["status"],
            "startTimeUtc": _utc(record["start_time"]),
            "endTimeUtc": _utc(record["end_time"]),
            "properties": record["properties"],
            "inputDatasets": [],
            "outputDatasets": [],
            "runDefinition": record["details"].get("runDefinition", {}),
            "logFiles": {
                name: str(self._store.artifact_path(self.id, name))
                for name in self.get_file_names()
                if name.startswith(("azureml-logs/", "logs/"))
            },
            "submittedBy": record["details"].get("submittedBy", os.environ.get("USER", "emulator")),
        }
        if record["error"]:
            details["error"] = {"error": record["error"]}
        return details

    def get_details_with_logs(self):
        details = self.get_details()
        details["logFiles"] = {
            name: open(path, encoding="utf-8", errors="replace").read()
            for name, path in details["logFiles"].items()
        }
        return details

    def get_environment(self):
        from .environment import Environment

        definition = self._record()["details"].get("runDefinition", {}).get("environment")
        if definition is None:
            raise UserErrorException(f"Run {self.id} has no environment")
        return Environment._from_dict(definition)

    def register_model(
        self,
        model_name,
        model_path=None,
        tags=None,
        properties=None,
        model_framework=None,
        model_framework_version=None,
        description=None,
        datasets=None,
        sample_input_dataset=None,
        sample_output_dataset=None,
        resource_configuration=None,
        **kwargs,
    ):
        """Register the artifact(s) at ``model_path`` (default: ``model_name``) as a model version."""
        from .model import Model

        return Model._register_from_run(
            self,
            model_name,
            model_path or model_name,
            tags=tags,
            properties=properties,
            model_framework=model_framework,
            model_framework_version=model_framework_version,
            description=description,
            datasets=datasets,
        )

    def get_portal_url(self):
        return self._store.artifact_path(self.id).as_uri()
