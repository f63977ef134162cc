"""Building the scoring image from ``deployments/Dockerfile``, once per distinct build context.

The context holds the Dockerfile, the pinned serving requirements, this server package and the
host's CA bundle (pip inside the build trusts it, so builds work behind a TLS-intercepting
proxy). The image tag is a digest of that context and the base image, so an unchanged server
reuses the image and a changed one gets a fresh build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import docker
from docker.errors import BuildError, ImageNotFound

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENTS = _PROJECT_ROOT / "deployments"
SERVER_PACKAGE = Path(__file__).resolve().parent
REPOSITORY = "automl-duel/scoring"
DEFAULT_BASE_IMAGE = "python:3.11-slim"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def base_image() -> str:
    """``DUEL_DOCKER_BASE_IMAGE`` (set by .ci/docker.sh to its locally imported Debian), else python:3.11-slim."""
    return os.environ.get("DUEL_DOCKER_BASE_IMAGE", DEFAULT_BASE_IMAGE)


def _ca_bundle() -> Path:
    if HOST_CA_BUNDLE.is_file():
        return HOST_CA_BUNDLE
    import certifi

    return Path(certifi.where())


def write_context(folder: Path) -> None:
    """Lay out the build context in ``folder``."""
    shutil.copy(DEPLOYMENTS / "Dockerfile", folder / "Dockerfile")
    shutil.copy(DEPLOYMENTS / "requirements-serving.txt", folder / "requirements-serving.txt")
    shutil.copy(_ca_bundle(), folder / "ca-certificates.crt")
    package = folder / "emulator"
    # only the server: the rest of the emulator (and its dependencies) stays out of the image
    shutil.copytree(SERVER_PACKAGE, package / "serving", ignore=shutil.ignore_patterns("__pycache__"))
    (package / "__init__.py").write_text("")


def _digest(folder: Path, base: str) -> str:
    digest = hashlib.sha256(base.encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def scoring_image(client: docker.DockerClient) -> str:
    """The tag of an image serving this checkout's server, built (with ``--network host``) if missing."""
    base = base_image()
    with tempfile.TemporaryDirectory(prefix="duel-scoring-image-") as tmp:
        context = Path(tmp)
        write_context(context)
        tag = f"{REPOSITORY}:{_digest(context, base)}"
        try:
            client.images.get(tag)
            return tag
        except ImageNotFound:
            pass
        try:
            build_image(client, context, tag)
        except BuildError as exc:
            raise BuildError(
                f"building the scoring image failed: {exc.msg}\n{build_log(exc.build_log)[-4000:]}",
                exc.build_log,
            ) from exc
        return tag


def build_image(client: docker.DockerClient, context: Path, tag: str) -> str:
    """Build ``context`` as ``tag`` on :func:`base_image` (``--network host``); returns the build's
    log. Docker's ``BuildError`` carries the log of a failed build."""
    _, output = client.images.build(
        path=str(context), tag=tag, buildargs={"BASE_IMAGE": base_image()}, network_mode="host", rm=True
    )
    return build_log(output)


def build_log(chunks) -> str:
    """The text of a build's output chunks, errors included."""
    return "".join(str(chunk.get("stream", chunk.get("error", ""))) for chunk in chunks)
