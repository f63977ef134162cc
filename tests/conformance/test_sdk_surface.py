"""The emulator's public surface against the real SDK v1's, read off azureml 1.61/1.62.

``sdk_surface.json`` was dumped from the real SDK by ``dump_sdk_surface.py`` (refresh it with
``make conformance``, which also runs this comparison against a live install). Here the same dump
runs against the emulator through the import hook, so every signature, default and serialized
form the project mirrors is compared in every test run, with or without the real SDK.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
DUMP = HERE / "dump_sdk_surface.py"
SNAPSHOT = json.loads((HERE / "sdk_surface.json").read_text())
AZURE_PYTHON = Path(os.environ.get("DUEL_AZURE_PYTHON", HERE.parents[1] / ".venv-azure" / "bin" / "python"))


def _dump(python: str, hooked: bool) -> dict:
    code = "import runpy, sys; sys.argv = ['dump']; "
    if hooked:
        code += "from emulator.hook import install; install(); "
    code += f"runpy.run_path({str(DUMP)!r}, run_name='__main__')"
    out = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, timeout=300, cwd=HERE.parents[1]
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def emulated() -> dict:
    return _dump(sys.executable, hooked=True)


@pytest.mark.parametrize("name", sorted(SNAPSHOT["signatures"]))
def test_signature_matches_sdk(emulated, name):
    # Parameter names, kinds and defaults, in order: code written for the SDK must call the emulator unchanged.
    assert emulated["signatures"][name] == SNAPSHOT["signatures"][name]


def test_other_methods_the_emulator_defines_match_sdk(emulated):
    # Beyond the listed surface: any public method the emulator adds to a mirrored class must take
    # the SDK method's parameters, so SDK code calling it behaves the same.
    shared = sorted(set(emulated["other_methods"]) & set(SNAPSHOT["other_methods"]))
    assert shared, "no shared methods found: the dump no longer enumerates the classes"
    mismatched = [
        f"{name}\n  emulator: {_compact(emulated['other_methods'][name])}\n  sdk:      {_compact(SNAPSHOT['other_methods'][name])}"
        for name in shared
        if emulated["other_methods"][name] != SNAPSHOT["other_methods"][name]
    ]
    assert not mismatched, "\n".join(mismatched)


def _compact(parameters: list[list[str]]) -> str:
    return ", ".join(name + (f"={default}" if default else "") for name, _, default in parameters)


@pytest.mark.parametrize("name", sorted(SNAPSHOT["serialized"]))
def test_serialized_form_matches_sdk(emulated, name):
    assert emulated["serialized"][name] == SNAPSHOT["serialized"][name]


@pytest.mark.azure_sdk
@pytest.mark.skipif(
    not AZURE_PYTHON.exists(), reason=f"no real SDK install at {AZURE_PYTHON} (make conformance builds one)"
)
def test_snapshot_is_current_with_installed_sdk():
    assert _dump(str(AZURE_PYTHON), hooked=False) == SNAPSHOT
