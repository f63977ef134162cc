"""The storage account's blob calls stay inside its folder, and bad container names are Azure's 400."""

from __future__ import annotations

import pytest

from emulator.v2 import _blobs


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "v2-blobs"
    folder.mkdir()
    return folder


def _put(root, path: str, body: bytes = b"x"):
    return _blobs.answer(root, None, "PUT", f"/{_blobs.ACCOUNT}/{path}", "", body, False)


@pytest.mark.parametrize("container", ["..", "UPPER", "a", "two--hyphens", "-edge", "%2e%2e", "x" * 64])
def test_a_container_name_azure_refuses_is_invalid_resource_name(root, container):
    status, _, headers = _put(root, f"{container}/blob.txt")
    assert (status, headers.get("x-ms-error-code")) == (400, "InvalidResourceName")


@pytest.mark.parametrize("name", ["../../escaped.txt", "%2e%2e/%2e%2e/escaped.txt", "a/%00b"])
def test_no_blob_name_writes_outside_the_account(root, name):
    status, _, _ = _put(root, f"data/{name}")
    assert status == 400
    assert not list(root.parent.glob("**/escaped.txt"))


def test_a_blob_is_written_read_back_and_deleted(root):
    assert _put(root, "data/folder/rows.csv", b"a,b\n1,2\n")[0] == 201
    status, body, _ = _blobs.answer(
        root, None, "GET", f"/{_blobs.ACCOUNT}/data/folder/rows.csv", "", b"", False
    )
    assert (status, body) == (206, b"a,b\n1,2\n")
    assert (
        _blobs.answer(root, None, "DELETE", f"/{_blobs.ACCOUNT}/data/folder/rows.csv", "", b"", False)[0]
        == 202
    )
    assert not (root / "data" / "folder" / "rows.csv").exists()
