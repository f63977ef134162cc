"""A v2 command job run on the emulator's process runner: its code asset's folder snapshotted, its
``${{inputs.*}}`` / ``${{outputs.*}}`` bound to local paths and values, its command run as a v1
``ScriptRun`` whose run id is the job's name (so both SDKs and the studio see one run)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import _asset_routes

_BINDING = re.compile(r"\$\{\{\s*(inputs|outputs)\.([A-Za-z0-9_]+)\s*\}\}")
_DATASTORE_URI = re.compile(r"^azureml://(?:.*/)?datastores/(?P<store>[^/]+)/paths/(?P<path>.*)$")
_JOB_ARTIFACT = re.compile(r"^azureml://jobs/(?P<job>[^/]+)/outputs/artifacts/paths/(?P<path>.*)$")
_ASSET_ID = re.compile(
    r"/(?P<kind>codes|data|models|environments)/(?P<name>[^/]+)/versions/(?P<version>[^/]+)$"
)


class JobInputError(ValueError):
    """An input, output or code reference the workspace cannot resolve; the message names it."""


def blob_path(surface, uri: str) -> Path:
    """The local file or folder of a storage URI: an ``azureml://datastores/...`` path or a blob URL."""
    found = _JOB_ARTIFACT.match(uri)
    if found:  # a job's default output: its run's artifacts
        return surface.store.artifact_path(found["job"], unquote(found["path"]))
    found = _DATASTORE_URI.match(uri)
    if found:
        container = _asset_routes.DATASTORES.get(found["store"])
        if container is None:
            raise JobInputError(f"datastore {found['store']} does not exist in the workspace")
        return surface.blob_root / container / unquote(found["path"])
    parts = urlsplit(uri)
    if parts.hostname and parts.hostname.endswith(surface.storage_host_suffix):
        return surface.blob_root / unquote(parts.path.lstrip("/"))
    raise JobInputError(f"{uri} is neither a datastore path nor a blob of the workspace's storage account")


def asset(surface, asset_id: str) -> dict:
    """The stored asset an ARM id (``.../codes/<name>/versions/<v>``) or ``azureml:name:version`` names."""
    found = _ASSET_ID.search(asset_id)
    if found:
        kind, name, version = found["kind"], found["name"], found["version"]
    elif "@" in asset_id:  # name@latest
        kind, name = "data", asset_id.removeprefix("azureml:").split("@")[0]
        found_versions = _asset_routes.versions(surface, kind, name)
        version = found_versions[-1]["name"] if found_versions else "latest"
    else:
        kind, (name, version) = "data", asset_id.removeprefix("azureml:").rsplit(":", 1)
    stored = _asset_routes.get_version(surface, kind, name, version)
    if stored is None:
        raise JobInputError(f"{kind} asset {name}:{version} was not found in the workspace")
    return stored


def resolved_path(surface, uri: str) -> Path:
    """The local path of a data input's ``uri``: a data asset (``azureml:name:version``, an ARM id) or
    a storage URI."""
    if uri.startswith("azureml:") and "://" not in uri or _ASSET_ID.search(uri):
        uri = asset(surface, uri)["properties"]["dataUri"]
    return blob_path(surface, uri)


def _input_value(surface, value: dict) -> str:
    if value.get("jobInputType", "literal") == "literal":
        return str(value["value"])
    return str(resolved_path(surface, value["uri"]))


def bind(surface, command: str, inputs: dict, outputs_root: Path) -> str:
    """``command`` with each ``${{inputs.x}}`` and ``${{outputs.x}}`` replaced by its value or path."""

    def replace(found: re.Match) -> str:
        side, name = found.groups()
        if side == "inputs":
            if name not in inputs:
                raise JobInputError(f"the command uses ${{{{inputs.{name}}}}}, which the job does not define")
            return _input_value(surface, inputs[name])
        folder = outputs_root / name
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder)

    return _BINDING.sub(replace, command)


def start(surface, name: str, properties: dict):
    """Start job ``name`` (a command job's ``properties``) as a ScriptRun; the v1 ``Run``."""
    from ..core import Environment, Experiment, ScriptRunConfig
    from ..core._launch import start_script_run

    code_id = properties.get("codeId")
    source = blob_path(surface, asset(surface, code_id)["properties"]["codeUri"]) if code_id else None
    if source is not None and not source.is_dir():
        raise JobInputError(f"the code asset {code_id} has no uploaded files")
    workspace = surface.workspace
    outputs_root = surface.store.folder("v2-outputs", name)
    command = bind(surface, properties["command"], properties.get("inputs") or {}, outputs_root)
    environment = Environment(f"v2-{name}")
    environment.environment_variables = {
        **surface.job_environment(name),
        **(properties.get("environmentVariables") or {}),
    }
    config = ScriptRunConfig(
        source_directory=str(source or outputs_root), command=command, environment=environment
    )
    experiment = Experiment(workspace, properties.get("experimentName") or "Default")
    return start_script_run(
        experiment,
        config,
        run_id=name,
        tags=properties.get("tags") or {},
        properties=properties.get("properties") or {},
    )
