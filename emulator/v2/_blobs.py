"""Azure Blob Storage for the workspace's storage account, kept on disk in the workspace folder: the
blob calls of code, data and model uploads and of downloads, in the service's shapes (XML listings,
``x-ms-*`` headers, 206 ranged reads, 416 for a ranged read of an empty blob).

Containers are folders under ``root``; a datastore's ``azureml://datastores/<name>/paths/<p>`` is
``root/<container>/<p>``, which is where jobs read their inputs from.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape

from ..exceptions import UserErrorException
from ..store._paths import contained

ACCOUNT = "emulatorstore"
# The artifact store's container: Azure keeps a run's files at ExperimentRun/dcid.<run id>/ in it,
# which here are the v1 run's artifacts themselves.
ARTIFACTS = "azureml"
_RUN_PREFIX = "ExperimentRun/dcid."
_HEADERS = {"ETag": '"0x1"', "Last-Modified": "Sat, 28 Nov 2026 06:00:00 GMT", "x-ms-version": "2021-08-06"}


# Azure's container names: 3-63 lowercase letters, digits and single hyphens, starting and ending
# with a letter or digit (Naming and Referencing Containers, Blobs, and Metadata).
_CONTAINER = re.compile(r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]")


def _inside(root: Path, key: str) -> Path | None:
    """``root/key`` through the store's one containment check; None for a name that would leave it."""
    try:
        path = contained(root, unquote(key), "blob name")
    except UserErrorException:
        return None
    return path if path != root else None


def _base(root: Path, store, container: str, key: str) -> tuple[Path, str]:
    """The folder holding ``key`` of ``container``, and the name prefix of the files under it."""
    if container == ARTIFACTS and key.startswith(_RUN_PREFIX):
        run_id = key.removeprefix(_RUN_PREFIX).split("/")[0]
        return store.artifact_path(run_id), f"{_RUN_PREFIX}{run_id}/"
    return root / container, ""


def _listing(root: Path, store, container: str, prefix: str) -> bytes:
    base, named = _base(root, store, container, prefix)
    files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []
    items = "".join(
        f"<Blob><Name>{escape(name)}</Name><Properties>"
        f"<Last-Modified>{_HEADERS['Last-Modified']}</Last-Modified><Etag>0x1</Etag>"
        f"<Content-Length>{path.stat().st_size}</Content-Length><BlobType>BlockBlob</BlobType>"
        f"</Properties><Metadata /></Blob>"
        for path in files
        if (name := named + path.relative_to(base).as_posix()).startswith(prefix)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="{escape(container)}">'
        f"<Prefix>{escape(prefix)}</Prefix><Blobs>{items}</Blobs><NextMarker /></EnumerationResults>"
    ).encode()


def answer(
    root: Path, store, method: str, path: str, query: str, raw: bytes, ranged: bool
) -> tuple[int, bytes, dict]:
    """(status, body, headers) for one blob call on ``/<account>/<container>/<blob>``; ``store`` is
    the workspace store, whose run artifacts the artifact container holds."""
    _, _account, container, *rest = (path.split("/", 3) + [""])[:4]
    if not _CONTAINER.fullmatch(container):
        return 400, b"", {"x-ms-error-code": "InvalidResourceName"}
    asked = parse_qs(query)
    if asked.get("comp") == ["list"]:
        listing = _listing(root, store, container, asked.get("prefix", [""])[0])
        return 200, listing, {**_HEADERS, "Content-Type": "application/xml"}
    key = "/".join(rest)
    base, named = _base(root, store, container, key)
    target = _inside(base, key.removeprefix(named)) if named else _inside(root, f"{container}/{key}")
    if target is None:
        return 400, b"", {"x-ms-error-code": "InvalidResourceName"}
    if method == "PUT" and asked.get("restype") == ["container"]:
        target.mkdir(parents=True, exist_ok=True)
        return 201, b"", _HEADERS
    if method == "PUT" and "comp" in asked:  # metadata or properties of an existing blob
        return (200 if target.is_file() else 404), b"", _HEADERS
    if method == "PUT":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
        return 201, b"", {**_HEADERS, "x-ms-request-server-encrypted": "true"}
    if not target.is_file():
        return 404, b"", {"x-ms-error-code": "BlobNotFound"}
    if method == "DELETE":
        target.unlink()
        return 202, b"", _HEADERS
    content = target.read_bytes()
    headers = {**_HEADERS, "x-ms-blob-type": "BlockBlob", "Content-Type": "application/octet-stream"}
    if method == "GET" and ranged and not content:
        return 416, b"", {"x-ms-error-code": "InvalidRange"}
    if method == "GET" and content:
        return 206, content, {**headers, "Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}"}
    return (
        200,
        (content if method == "GET" else b""),
        {**headers, "Content-Length-Of-Blob": str(len(content))},
    )
