"""The housing loader: where the file comes from, and every way a bad file is refused."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from tasks.data import HOUSING_ROWS, HOUSING_SHA256, DataError, load_housing, resolve_housing_path, sha256_of
from training.schema import ALL_COLUMNS, CATEGORICAL_COLUMN, LABEL

HEADER = ",".join(ALL_COLUMNS)
GOOD_ROW = "-122.23,37.88,41.0,880.0,129.0,322.0,126.0,8.3252,452600.0,NEAR BAY"


def write(tmp_path: Path, text: str, name: str = "housing.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_real_file_has_expected_rows_missing_values_and_checksum(housing_path, housing):
    assert sha256_of(housing_path) == HOUSING_SHA256
    assert len(housing) == HOUSING_ROWS
    assert housing["total_bedrooms"].isna().sum() == 207
    assert set(housing[CATEGORICAL_COLUMN]) == {"<1H OCEAN", "INLAND", "NEAR OCEAN", "NEAR BAY", "ISLAND"}
    assert housing[LABEL].dtype == "float64"


def test_subset_is_seeded_and_keeps_file_row_numbers(housing_path):
    first = load_housing(housing_path, subset=500, seed=7)
    again = load_housing(housing_path, subset=500, seed=7)
    other = load_housing(housing_path, subset=500, seed=8)
    assert len(first) == 500
    assert first.index.equals(again.index)
    assert not first.index.equals(other.index)
    assert first.index.is_monotonic_increasing


def test_explicit_path_beats_environment(tmp_path, monkeypatch, housing_path):
    monkeypatch.setenv("DUEL_DATA", str(tmp_path / "nowhere.csv"))
    assert resolve_housing_path(housing_path) == housing_path


def test_missing_file_named_in_error(tmp_path):
    with pytest.raises(DataError, match=r"nowhere\.csv: housing file not found"):
        load_housing(tmp_path / "nowhere.csv")


def test_empty_file_refused(tmp_path):
    with pytest.raises(DataError, match="empty"):
        load_housing(write(tmp_path, ""))


def test_header_without_rows_refused(tmp_path):
    with pytest.raises(DataError, match="no rows"):
        load_housing(write(tmp_path, HEADER + "\n"))


def test_wrong_delimiter_named(tmp_path):
    text = HEADER.replace(",", ";") + "\n" + GOOD_ROW.replace(",", ";") + "\n"
    with pytest.raises(DataError, match="wrong delimiter.*';'"):
        load_housing(write(tmp_path, text))


def test_missing_label_named(tmp_path):
    columns = [c for c in ALL_COLUMNS if c != LABEL]
    row = GOOD_ROW.split(",")
    del row[ALL_COLUMNS.index(LABEL)]
    with pytest.raises(DataError, match=f"missing label.*{LABEL}"):
        load_housing(write(tmp_path, ",".join(columns) + "\n" + ",".join(row) + "\n"))


def test_missing_feature_column_named(tmp_path):
    columns = [c for c in ALL_COLUMNS if c != "median_income"]
    row = GOOD_ROW.split(",")
    del row[ALL_COLUMNS.index("median_income")]
    with pytest.raises(DataError, match="missing column.*median_income"):
        load_housing(write(tmp_path, ",".join(columns) + "\n" + ",".join(row) + "\n"))


def test_non_numeric_value_names_column_and_row(tmp_path):
    bad = GOOD_ROW.replace("322.0", "lots")
    path = write(tmp_path, "\n".join([HEADER, GOOD_ROW, bad, GOOD_ROW]) + "\n")
    with pytest.raises(
        DataError, match=r"housing\.csv: column 'population' has a non-numeric value 'lots' at row 3"
    ):
        load_housing(path)


def test_unknown_extra_column_warns_and_is_dropped(tmp_path):
    path = write(tmp_path, HEADER + ",comment\n" + GOOD_ROW + ",hello\n")
    with pytest.warns(UserWarning, match="unknown column.*comment"):
        frame = load_housing(path)
    assert list(frame.columns) == list(ALL_COLUMNS)


def test_all_missing_column_named(tmp_path):
    row = GOOD_ROW.split(",")
    row[ALL_COLUMNS.index("households")] = ""
    with pytest.raises(DataError, match="column 'households' has no values at all"):
        load_housing(write(tmp_path, HEADER + "\n" + ",".join(row) + "\n"))


@pytest.fixture
def file_server(tmp_path):
    """A real HTTP server on loopback serving a folder, standing in for the public copy."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_download_verifies_checksum_and_caches_atomically(file_server, housing_path, tmp_path, monkeypatch):
    root, base = file_server
    (root / "housing.csv").write_bytes(housing_path.read_bytes())
    monkeypatch.delenv("DUEL_DATA", raising=False)
    monkeypatch.setenv("DUEL_DATA_URL", f"{base}/housing.csv")
    cache = tmp_path / "cache"
    path = resolve_housing_path(cache_dir=cache)
    assert path == cache / "housing.csv"
    assert sha256_of(path) == HOUSING_SHA256
    assert [p.name for p in cache.iterdir()] == ["housing.csv"]


def test_corrupt_download_is_refused_and_not_cached(file_server, tmp_path, monkeypatch):
    root, base = file_server
    (root / "housing.csv").write_text(HEADER + "\n" + GOOD_ROW + "\n")
    monkeypatch.delenv("DUEL_DATA", raising=False)
    monkeypatch.setenv("DUEL_DATA_URL", f"{base}/housing.csv")
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match="checksum mismatch"):
        resolve_housing_path(cache_dir=cache)
    assert list(cache.iterdir()) == []
