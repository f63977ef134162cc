"""Load and validate the California housing file.

Where the file comes from, in order: an explicit path, ``DUEL_DATA``, the user's cache, and
finally a download of the public copy (checksum verified, written atomically into the cache).
Every problem with the file is a :class:`DataError` naming the file, the column and, where it
applies, the row.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
import warnings
from pathlib import Path

import pandas as pd

from training.schema import ALL_COLUMNS, CATEGORICAL_COLUMN, LABEL, NUMERIC_COLUMNS

HOUSING_SHA256 = "8a3727f4cf54ac1a327f69b1d5b4db54c5834ea81c6e4efc0d163300022a685e"
HOUSING_URL = "https://raw.githubusercontent.com/ageron/handson-ml2/master/datasets/housing/housing.csv"
HOUSING_ROWS = 20_640
_FILE_NAME = "housing.csv"


class DataError(ValueError):
    """The housing file is missing or does not match the expected schema."""


def default_cache_dir() -> Path:
    """The per-user cache folder (``$XDG_CACHE_HOME/automl-duel`` or ``~/.cache/automl-duel``).

    Returns:
        The folder (it may not exist yet).
    """
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "automl-duel"


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in blocks.

    Args:
        path: the file.

    Returns:
        Its hex digest.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_housing(target: Path, url: str = HOUSING_URL, sha256: str = HOUSING_SHA256) -> Path:
    """Download the public copy to ``target``; a partial or corrupt download never lands there.

    Args:
        target: where the file lands.
        url: where it is downloaded from.
        sha256: the digest it must have.

    Returns:
        ``target``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".housing-", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            while block := response.read(1 << 20):
                out.write(block)
        actual = sha256_of(tmp)
        if actual != sha256:
            raise DataError(
                f"{url}: checksum mismatch (expected sha256 {sha256}, got {actual}); nothing was cached"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def resolve_housing_path(path: str | os.PathLike | None = None, cache_dir: Path | None = None) -> Path:
    """The file to read: explicit path, then ``DUEL_DATA``, then the cache, then a download.

    Args:
        path: an explicit file, tried first.
        cache_dir: the cache folder (default: :func:`default_cache_dir`).

    Returns:
        The housing file's path.
    """
    from_env = os.environ.get("DUEL_DATA")
    for candidate, origin in ((path, "the given path"), (from_env, "DUEL_DATA")):
        if candidate:
            resolved = Path(candidate).expanduser()
            if not resolved.is_file():
                # Settings hand DUEL_DATA over as a path: name the variable the person actually set.
                same = from_env and Path(from_env).expanduser() == resolved
                raise DataError(
                    f"{resolved}: housing file not found (from {'DUEL_DATA' if same else origin})"
                )
            return resolved
    cached = (cache_dir or default_cache_dir()) / _FILE_NAME
    if cached.is_file():
        return cached
    url = os.environ.get("DUEL_DATA_URL", HOUSING_URL)
    try:
        return download_housing(cached, url=url)
    except OSError as exc:
        raise DataError(
            f"no housing file given and the download from {url} failed ({exc}); "
            "set DUEL_DATA to a local copy of housing.csv"
        ) from exc


def validate_housing(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Check the columns and types; return the frame with numeric columns as float64.

    Args:
        frame: the file's rows.
        source: the file's name, for error messages.

    Returns:
        The frame, extra columns dropped.
    """
    if frame.shape[1] == 1 and len(ALL_COLUMNS) > 1:
        only = str(frame.columns[0])
        for sep in (";", "\t", "|"):
            if sep in only:
                raise DataError(
                    f"{source}: wrong delimiter: the header is one column containing {sep!r}; expected commas"
                )
    missing = [column for column in ALL_COLUMNS if column not in frame.columns]
    if missing:
        role = "label" if missing == [LABEL] else "column"
        raise DataError(f"{source}: missing {role}(s): {', '.join(missing)}")
    extra = [str(column) for column in frame.columns if column not in ALL_COLUMNS]
    if extra:
        warnings.warn(f"{source}: ignoring unknown column(s): {', '.join(extra)}", UserWarning, stacklevel=3)
    frame = frame.loc[:, list(ALL_COLUMNS)].copy()
    for column in (*NUMERIC_COLUMNS, LABEL):
        converted = pd.to_numeric(frame[column], errors="coerce")
        bad = converted.isna() & frame[column].notna()
        if bad.any():
            index = int(bad.to_numpy().argmax())
            # +2: one for the header line, one because rows count from 1 in an editor.
            raise DataError(
                f"{source}: column '{column}' has a non-numeric value {frame[column].iloc[index]!r} "
                f"at row {index + 2} (line {index + 2} of the file)"
            )
        frame[column] = converted.astype("float64")
    for column in ALL_COLUMNS:
        if frame[column].isna().all():
            raise DataError(f"{source}: column '{column}' has no values at all")
    if frame[LABEL].isna().any():
        index = int(frame[LABEL].isna().to_numpy().argmax())
        raise DataError(f"{source}: label '{LABEL}' is missing at row {index + 2}")
    frame[CATEGORICAL_COLUMN] = frame[CATEGORICAL_COLUMN].astype("string").astype(object)
    return frame


def load_housing(
    path: str | os.PathLike | None = None,
    *,
    subset: int | None = None,
    seed: int = 42,
    cache_dir: Path | None = None,
) -> pd.DataFrame:
    """Read, validate and optionally subsample (seeded) the housing file.

    Args:
        path: the file (else ``DUEL_DATA``, the cache, or a download).
        subset: keep this many sampled rows.
        seed: the sampling seed.
        cache_dir: the cache folder.

    Returns:
        The validated rows.
    """
    source = resolve_housing_path(path, cache_dir)
    if source.stat().st_size == 0:
        raise DataError(f"{source}: the file is empty")
    try:
        frame = pd.read_csv(source)
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{source}: the file is empty") from exc
    except pd.errors.ParserError as exc:
        raise DataError(f"{source}: not a valid CSV file ({exc})") from exc
    if frame.empty:
        raise DataError(f"{source}: the file has a header but no rows")
    frame = validate_housing(frame, str(source))
    if subset is not None and subset < len(frame):
        # Keep the file's row numbers as the index: they identify rows across subsets and splits.
        frame = frame.sample(n=subset, random_state=seed).sort_index()
    return frame
