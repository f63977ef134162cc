"""Azure Blob Storage for the local workspace: the blob calls of code, data and model uploads and of
artifact downloads, in the service's shapes (XML listings, ``x-ms-*`` headers).

Uploads of code reach it path-style (``/<account>/<container>/...``, named by the pending-upload
answer). Datastore uploads and downloads address ``https://<account>.blob.core.windows.net``, which
the SDK builds itself: they reach it through ``HTTPS_PROXY`` (a CONNECT tunnel, TLS with a
certificate made here and trusted through ``REQUESTS_CA_BUNDLE``), so nothing leaves the machine.
"""

from __future__ import annotations

import datetime
import ssl
from pathlib import Path
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ACCOUNT = "duelstore"
BLOB_HOST = ".blob.core.windows.net"
_HEADERS = {"ETag": '"0x1"', "Last-Modified": "Sat, 28 Nov 2026 06:00:00 GMT", "x-ms-version": "2021-08-06"}


def tls_context(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context for ``*.blob.core.windows.net`` and the certificate file clients should trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, BLOB_HOST.lstrip("."))])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(f"*{BLOB_HOST}")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "blob-cert.pem", folder / "blob-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path


def blob_path(host: str, path: str) -> str | None:
    """``/<account>/<container>/<blob>`` for a blob request, whichever style addressed it; else None."""
    if host.endswith(BLOB_HOST):
        return f"/{host.removesuffix(BLOB_HOST).split(':')[0]}{path}"
    if path.startswith(f"/{ACCOUNT}/"):
        return path
    return None


def _listing(blobs: dict[str, bytes], container: str, prefix: str) -> bytes:
    root = f"{container}/"
    items = "".join(
        f"<Blob><Name>{escape(key.removeprefix(root))}</Name><Properties>"
        f"<Last-Modified>{_HEADERS['Last-Modified']}</Last-Modified><Etag>0x1</Etag>"
        f"<Content-Length>{len(content)}</Content-Length><BlobType>BlockBlob</BlobType>"
        f"</Properties><Metadata /></Blob>"
        for key, content in sorted(blobs.items())
        if key.startswith(root + prefix)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="{escape(container)}">'
        f"<Prefix>{escape(prefix)}</Prefix><Blobs>{items}</Blobs><NextMarker /></EnumerationResults>"
    ).encode()


def answer(
    blobs: dict[str, bytes], method: str, path: str, query: str, raw: bytes, ranged: bool
) -> tuple[int, bytes, dict]:
    """(status, body, headers) for one blob call; ``blobs`` maps ``<container>/<blob>`` to content.

    The SDK reads blobs in ranges from the first byte: a read is answered whole, as 206 with its
    range; a ranged read of an empty blob is 416, as Azure answers it, and the SDK asks again without.
    """
    _, account, container, *rest = path.split("/", 3)
    key = "/".join([container, *rest])
    asked = parse_qs(query)
    if asked.get("comp") == ["list"]:
        listing = _listing(blobs, container, asked.get("prefix", [""])[0])
        return 200, listing, {**_HEADERS, "Content-Type": "application/xml"}
    if method == "PUT" and "comp" in asked:
        return (200 if key in blobs else 404), b"", _HEADERS
    if method == "PUT":
        blobs[key] = raw
        return 201, b"", {**_HEADERS, "x-ms-request-server-encrypted": "true"}
    if key not in blobs:
        return 404, b"", {"x-ms-error-code": "BlobNotFound"}
    content = blobs[key]
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
