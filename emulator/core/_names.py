"""Every name and id that becomes a path in the workspace, checked in one place with the SDK's rules.

Each check raises the error type the SDK raises for that name, with its wording where it is known.
The store refuses any path that leaves its folder on top of this (``AbstractStore._confined``), so a
name that slips past a check here still cannot reach another run's, model's or dataset's files.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from ..exceptions import ComputeTargetException, UserErrorException, WebserviceException
from ..store import check_text

_EXPERIMENT = re.compile(r"[a-zA-Z0-9][\w-]{0,254}")
# Azure's run ids: letters, digits, '_' and '-' (ids it makes: "<experiment>_<time>_<hex>", "HD_<uuid>_3").
_RUN_ID = re.compile(r"[a-zA-Z0-9][\w-]{0,255}")
_MODEL = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-._]{0,254}")
_DATASET = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-._]{0,249}")
_DATASTORE = re.compile(r"[a-zA-Z0-9_]{1,255}")
_COMPUTE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]{1,15}")
_WEBSERVICE = re.compile(r"(?=.{3,32}$)[a-z]([-a-z0-9]*[a-z0-9])?")
# azureml._base_sdk_common.common._valid_workspace_name (the SDK's own check in Workspace.create)
_WORKSPACE = re.compile(r"[a-zA-Z0-9][\w\-]{2,32}")
# Azure ML's asset-name rule (models, datasets, environments share it)
_ENVIRONMENT = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-._]{0,254}")


def _checked(pattern: re.Pattern, value, error: type[Exception], message: str):
    # No dots-only names: "." and ".." are path steps, not names, whatever a pattern allows.
    if not isinstance(value, str) or pattern.fullmatch(value) is None or value.strip(".") == "":
        raise error(message)
    return value


def workspace_name(name) -> str:
    # the SDK's check_valid_resource_name(name, "Workspace"), message and all
    return _checked(
        _WORKSPACE,
        name,
        UserErrorException,
        "Workspace name must be between 3 and 33 characters long. Its first character has to be "
        "alphanumeric, and the rest may contain hyphens and underscores. No whitespace is allowed.",
    )


def environment_name(name) -> str:
    """The name ``Environment.register`` stores: Azure's asset-name rule, and not a curated prefix."""
    _checked(
        _ENVIRONMENT,
        name,
        UserErrorException,
        f"Invalid environment name {str(name)[:80]!r}: it must be 1-255 characters, start with a letter or "
        "a number and contain only letters, numbers, dashes, underscores and periods",
    )
    if name.lower().startswith(("microsoft", "azureml")):
        raise UserErrorException(
            f"Invalid environment name {name!r}: the prefixes 'Microsoft' and 'AzureML' are reserved for "
            "curated environments"
        )
    return name


def experiment_name(name) -> str:
    return _checked(
        _EXPERIMENT,
        name,
        UserErrorException,
        f"Experiment name {name!r} is invalid: it must be 1-255 characters, start with a letter or a number, "
        "and contain only letters, numbers, underscores and dashes.",
    )


def run_id(value) -> str:
    return _checked(
        _RUN_ID,
        value,
        UserErrorException,
        f"Run id {value!r} is invalid: it must be 1-256 characters, start with a letter or a number, "
        "and contain only letters, numbers, underscores and dashes.",
    )


def model_name(name) -> str:
    return _checked(
        _MODEL,
        name,
        UserErrorException,
        f"Invalid model name {name!r}: it must be 1-255 characters, start with a letter or a number and "
        "contain only letters, numbers, dashes, underscores and periods",
    )


def dataset_name(name) -> str:
    return _checked(
        _DATASET,
        name,
        UserErrorException,
        f"Invalid dataset name {name!r}: it must be 1-250 characters, start with a letter or a number and "
        "contain only letters, numbers, dashes, underscores and periods.",
    )


def datastore_name(name) -> str:
    return _checked(
        _DATASTORE,
        name,
        UserErrorException,
        f"Invalid datastore name {name!r}: datastore names can only contain alphanumeric characters and "
        "underscores.",
    )


def compute_name(name) -> str:
    return _checked(
        _COMPUTE,
        name,
        ComputeTargetException,
        f"Invalid compute name {name!r}: it must be 2-16 characters, start with a letter and contain only "
        "letters, digits and hyphens",
    )


def webservice_name(name) -> str:
    # the SDK's own pattern, with its length rule folded in
    return _checked(
        _WEBSERVICE,
        name,
        WebserviceException,
        "Error, provided service name is invalid. It must only consist of lowercase letters, numbers, or "
        "dashes, start with a letter, end with a letter or number, and be between 3 and 32 characters long.",
    )


def artifact_name(name) -> str:
    """``name`` as a relative posix path inside the run; absolute paths and '..' are refused."""
    if not isinstance(name, str) or not name.strip():
        raise UserErrorException(f"Artifact name must be a non-empty string, got {name!r}")
    check_text(name, "Artifact name")
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or str(path) == ".":
        raise UserErrorException(f"Artifact name {name!r} must be a relative path inside the run")
    return str(path)
