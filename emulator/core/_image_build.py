"""The image build Azure runs before a run's script: the environment's pip packages resolved for
its Python on Linux x86_64 (``uv pip compile``), cached by the environment's hash as Azure caches
images, and optionally materialised as a virtual environment the script then runs in.

What an offline build cannot check (conda channels and packages, CUDA drivers, system packages of
the base image) is said in the build log; emulator/README.md has the full list.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ._home import emulator_home

# Azure's own name for the log, and the error a run shows when its image does not build
# (Azure ML v1 run error, e.g. Azure/MLOps_Workshop issue 8, 2024-09-16).
IMAGE_BUILD_LOG = "azureml-logs/20_image_build_log.txt"
BUILD_FAILED = {
    "code": "UserError",
    "message": f"Image build failed. For more details, check log file {IMAGE_BUILD_LOG}.",
    "messageFormat": "Image build failed. For more details, check log file {ArtifactPath}.",
    "messageParameters": {"ArtifactPath": IMAGE_BUILD_LOG},
    "details": [],
    "innerError": {"code": "BadArgument"},
}
# Azure's images are Linux x86_64; manylinux_2_28 is the glibc of its current Ubuntu 22.04 bases.
PLATFORM = "x86_64-manylinux_2_28"
# Opt in to a virtual environment per image, the run's script executed in it (slow: real installs).
MATERIALIZE_VARIABLE = "DUEL_EMULATOR_BUILD_VENV"
# Where built images are kept (default: <emulator home>/images); a test session may share one.
CACHE_VARIABLE = "DUEL_EMULATOR_IMAGE_CACHE"
_RESOLVE_TIMEOUT_SECONDS = 600
_INSTALL_TIMEOUT_SECONDS = 3600


@dataclass(frozen=True)
class ImageBuild:
    """The outcome of building one environment definition."""

    hash: str
    succeeded: bool
    log: str
    lock: str = ""
    python: str | None = None  # the materialised interpreter, when there is one

    @property
    def status(self) -> str:
        """``Succeeded`` or ``Failed``, as ``ImageBuildDetails.status`` says."""
        return "Succeeded" if self.succeeded else "Failed"


def materialize_requested() -> bool:
    """True when ``DUEL_EMULATOR_BUILD_VENV`` asks for a virtual environment per image."""
    return os.environ.get(MATERIALIZE_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def image_hash(definition: dict) -> str:
    """The hash of what goes into the image: the Python section and the base image."""
    python = definition.get("python", {})
    content = {
        "conda": python.get("condaDependencies"),
        "userManaged": python.get("userManagedDependencies", False),
        "baseImage": definition.get("docker", {}).get("baseImage"),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:32]


def python_version(conda: dict) -> str | None:
    """The Python a conda specification asks for (``python=3.11`` -> ``3.11``), or None."""
    for entry in conda.get("dependencies", []):
        if isinstance(entry, str):
            found = re.fullmatch(r"python\s*(?:==?|>=|~=)?\s*([0-9][0-9.]*)\*?", entry.strip())
            if found:
                return found.group(1).rstrip(".")
    return None


def pip_requirements(conda: dict) -> list[str]:
    """The lines of the specification's pip section (options such as ``--index-url`` included)."""
    for entry in conda.get("dependencies", []):
        if isinstance(entry, dict) and "pip" in entry:
            return [str(line) for line in entry["pip"] or []]
    return []


def _unchecked(conda: dict) -> list[str]:
    packages = [
        entry
        for entry in conda.get("dependencies", [])
        if isinstance(entry, str) and not re.match(r"(python|pip)\b", entry.strip())
    ]
    return [
        "Not checked offline: conda channels " + ", ".join(conda.get("channels") or ["(none)"]),
        "Not checked offline: conda packages " + (", ".join(packages) or "(none)"),
        "Not checked offline: the base image's system packages, CUDA driver and GPU architecture",
    ]


def cache_root() -> Path:
    """Where built images are kept."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured).expanduser().resolve()
    return emulator_home() / "images"


def _uv() -> str:
    found = shutil.which("uv", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    if found is None:
        raise FileNotFoundError("uv was not found beside this Python or on PATH (pip install uv)")
    return found


def _resolve(version: str, requirements: list[str]) -> tuple[bool, str, str]:
    """(resolved, resolver output, pinned requirements) for ``requirements`` on Azure's platform."""
    with tempfile.TemporaryDirectory(prefix="emulator-build-") as folder:
        source = Path(folder) / "requirements.in"
        source.write_text("\n".join(requirements) + "\n")
        command = [
            _uv(),
            "pip",
            "compile",
            "--python-version",
            version,
            "--python-platform",
            PLATFORM,
            "--no-header",
            "--no-annotate",
            "--quiet",
            str(source),
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_RESOLVE_TIMEOUT_SECONDS, check=False
        )
    shown = " ".join(["uv", *command[1:-1], "requirements.in"])
    return done.returncode == 0, f"$ {shown}\n{done.stderr}", done.stdout


def _materialize(folder: Path, version: str, lock: str) -> tuple[bool, str, str | None]:
    """Install the pinned packages into ``folder/venv``; (installed, output, its python)."""
    venv = folder / "venv"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "requirements.lock").write_text(lock)
    steps = [
        [_uv(), "venv", "--no-python-downloads", "--python", version, str(venv)],
        [_uv(), "pip", "sync", "--python", str(venv / "bin" / "python"), str(folder / "requirements.lock")],
    ]
    output = []
    for step in steps:
        done = subprocess.run(
            step, capture_output=True, text=True, timeout=_INSTALL_TIMEOUT_SECONDS, check=False
        )
        output.append(f"$ {' '.join(['uv', *step[1:]])}\n{done.stdout}{done.stderr}")
        if done.returncode:
            shutil.rmtree(venv, ignore_errors=True)
            return False, "".join(output), None
    return True, "".join(output), str(venv / "bin" / "python")


def _cached(folder: Path, materialize: bool) -> ImageBuild | None:
    record = folder / "build.json"
    if not record.is_file():
        return None
    build = ImageBuild(**json.loads(record.read_text()))
    if materialize and (build.python is None or not Path(build.python).exists()):
        return None
    return build


def _store(folder: Path, build: ImageBuild) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    # Written whole then renamed: two runs building the same image at once each leave a whole record.
    temporary = folder / f"build.json.{os.getpid()}"
    temporary.write_text(json.dumps(build.__dict__))
    os.replace(temporary, folder / "build.json")


def build_image(definition: dict, materialize: bool | None = None) -> ImageBuild:
    """Build ``definition`` (an ``Environment._to_dict()``), or return its cached build.

    Only successful builds are cached, as Azure keeps only images that built; a failed one is
    resolved again next time (the resolver's own cache keeps that quick).

    Args:
        definition: The environment as recorded on a run.
        materialize: Install a virtual environment too; default: ``DUEL_EMULATOR_BUILD_VENV``.

    Returns:
        The build, with its log.
    """
    materialize = materialize_requested() if materialize is None else materialize
    digest = image_hash(definition)
    folder = cache_root() / digest
    folder.parent.mkdir(parents=True, exist_ok=True)
    # One build per image at a time: a sweep's concurrent trials wait for the first one's build.
    with open(folder.parent / f"{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cached = _cached(folder, materialize)
        if cached is not None:
            return ImageBuild(
                cached.hash,
                True,
                f"Image {digest} found in the build cache.\n{cached.log}",
                cached.lock,
                cached.python,
            )
        return _build(definition, digest, folder, materialize)


def _build(definition: dict, digest: str, folder: Path, materialize: bool) -> ImageBuild:
    python = definition.get("python", {})
    conda = python.get("condaDependencies") or {}
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    lines = [f"{started} Building image {digest} for environment {definition.get('name')}"]
    if python.get("userManagedDependencies"):
        lines.append(
            "User-managed dependencies: the base image's Python is used as it is; nothing to resolve."
        )
        build = ImageBuild(digest, True, "\n".join(lines) + "\n")
        _store(folder, build)
        return build
    version = python_version(conda)
    if version is None:
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        lines.append(f"The specification names no python=; resolving for Python {version}.")
    requirements = pip_requirements(conda)
    lines += _unchecked(conda)
    lock, resolved, output = "", True, "No pip packages to resolve.\n"
    python_path = None
    try:
        if requirements:
            resolved, output, lock = _resolve(version, requirements)
        lines.append(output.rstrip())
        if resolved and lock:
            lines.append("Resolved packages:\n" + lock.rstrip())
        if resolved and materialize:
            resolved, installed, python_path = _materialize(folder, version, lock)
            lines.append(installed.rstrip())
    except (OSError, subprocess.TimeoutExpired) as error:  # no uv, or a resolver that never answered
        resolved = False
        lines.append(f"The build could not run: {error}")
    lines.append("Image build succeeded." if resolved else "Image build failed.")
    build = ImageBuild(digest, resolved, "\n".join(lines) + "\n", lock, python_path)
    if resolved:
        _store(folder, build)
    return build
