"""House rules import-linter cannot express; the import graph's contracts are in pyproject.toml
(``lint-imports``, run by ``make lint``)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("flows", "tasks", "backends", "onnx_export", "training", "emulator", "tests")
# A guard against a module swallowing its neighbours, not a budget: cohesive code may run long.
MAX_LINES = 800


def test_every_module_is_under_the_size_guard():
    long = sorted(
        f"{path.relative_to(ROOT)}: {lines} lines"
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if (lines := len(path.read_text().splitlines())) >= MAX_LINES
    )
    assert long == []


def test_test_modules_have_unique_basenames():
    # pytest imports test modules by basename from their rootdir: two of one name fail to collect.
    names = [path.name for path in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({name for name in names if names.count(name) > 1}) == []
