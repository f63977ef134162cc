"""The import graph points one way and every module stays small.

flows -> tasks -> backends -> emulator; ``onnx_export`` and ``training`` are libraries below the
tasks. Nothing below imports ``tasks``, ``flows`` or ``backends``; only ``backends`` imports the
emulator; no import circle crosses a package boundary. ``training/schema.py`` is the input contract
every layer shares (the serving image imports it beside ``score.py``), so it counts as its own node;
so does ``training/onnx_layout.py``, the reader of a model's ``model_onnx.json`` beside it.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("flows", "tasks", "backends", "onnx_export", "training", "emulator")
BELOW_TASKS = ("emulator", "training", "onnx_export")
MAX_LINES = 400
CONTRACTS = ("training.schema", "training.onnx_layout")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules ``name`` imports (resolving relative imports and ``from package import module``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


@cache
def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _node(module: str) -> str:
    return next((c for c in CONTRACTS if module == c or module.startswith(c + ".")), module.split(".")[0])


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(edges):
        if node not in index:
            visit(node)
    return found


def test_nothing_below_the_tasks_imports_tasks_flows_or_backends():
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if module.split(".")[0] in BELOW_TASKS
        for target in targets
        if target.split(".")[0] in ("tasks", "flows", "backends")
    )
    assert upward == []


def test_only_the_backends_import_the_emulator_above_it():
    leaks = sorted(
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if module.split(".")[0] in ("tasks", "flows")
        for target in targets
        if target.split(".")[0] == "emulator"
    )
    assert leaks == []


def test_no_import_circle_crosses_a_package():
    edges = _graph()
    crossing = [c for c in _cycles(edges) if len({_node(m) for m in c}) > 1]
    packages: dict[str, set[str]] = {}
    for module, targets in edges.items():
        packages.setdefault(_node(module), set()).update(
            _node(t) for t in targets if _node(t) != _node(module)
        )
    assert crossing == [] and _cycles(packages) == []


def test_every_module_is_under_the_size_limit():
    long = sorted(
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path in [*_modules().values(), *(ROOT / "tests").rglob("*.py")]
        if (lines := len(path.read_text().splitlines())) >= MAX_LINES
    )
    assert long == []


def test_the_graph_sees_relative_and_package_imports():
    edges = _graph()
    assert "emulator.store" in edges["emulator.core.workspace"]
    assert "backends.sdk_v1.jobs" in edges["backends.sdk_v1"]


def test_test_modules_have_unique_basenames():
    # pytest imports test modules by basename from their rootdir: two of one name fail to collect.
    names = [path.name for path in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({name for name in names if names.count(name) > 1}) == []
