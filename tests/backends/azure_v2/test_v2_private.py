"""The azure-ai-ml internals the v2 backend uses are all in one wrapper, and still there.

This fails on the installed azure-ai-ml the day one of the private names moves, disappears or
changes the parameters the wrapper passes, before a night on Azure finds out.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from backends.azure_v2 import private

PACKAGE = Path(private.__file__).parent


def _attribute(module: str, path: str):
    found = importlib.import_module(module)
    for part in path.split("."):
        found = getattr(found, part)  # AttributeError names what moved
    return found


@pytest.mark.parametrize(("module", "path"), private.PRIVATE_NAMES)
def test_each_private_name_the_wrapper_uses_exists_in_the_installed_sdk(module, path):
    found = _attribute(module, path)
    assert found is not None


@pytest.mark.parametrize("path", private.PRIVATE_CLIENT_ATTRIBUTES)
def test_each_private_attribute_of_a_client_exists_on_one_the_sdk_builds(azure, path):
    found = azure.client()
    for part in path.split("."):
        found = getattr(found, part)
    assert found is not None


def test_the_private_calls_take_the_parameters_the_wrapper_passes():
    download = inspect.signature(_attribute(*private.PRIVATE_NAMES[0]))
    assert list(download.parameters)[:3] == ["uri", "destination", "datastore_operation"]
    metric = inspect.signature(_attribute(*private.PRIVATE_NAMES[2]))
    assert {"subscription_id", "resource_group_name", "workspace_name", "body"} <= set(metric.parameters)
    request = _attribute(*private.PRIVATE_NAMES[1])(metric_name="val_mae")
    assert request.metric_name == "val_mae"


def test_no_other_v2_module_reaches_past_the_public_surface():
    for source in PACKAGE.glob("*.py"):
        if source.name == "private.py":
            continue
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("azure."):
                assert not any(part.startswith("_") for part in node.module.split(".")), (
                    source.name,
                    node.module,
                )
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                assert isinstance(node.value, ast.Name) and node.value.id == "self", (source.name, node.attr)
