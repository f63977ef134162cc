"""The California housing schema: the columns, their ranges, and JSON rows read into columns.

This module is imported by the scoring script inside the serving image, so it depends on numpy
alone: no pandas, no scikit-learn.

Rows are read into one array per raw column (:func:`rows_to_columns`): the numeric columns of
:data:`NUMERIC_COLUMNS` as float32, NaN where a value is missing (``total_bedrooms`` is missing in
207 rows of the public file), and ``ocean_proximity`` as strings. How those columns become a
graph's inputs is the model's own resource file's business (``training.onnx_layout``).

Rows scored over HTTP are held to the ranges of the data as well (:data:`NUMERIC_RANGES`, the
:data:`OCEAN_CATEGORIES`): a value outside them raises :class:`OutOfRangeError`, which the scoring
server answers with 422 naming the field, rather than a price made up from impossible input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

LABEL = "median_house_value"
NUMERIC_COLUMNS: tuple[str, ...] = (
    "longitude",
    "latitude",
    "housing_median_age",
    "total_rooms",
    "total_bedrooms",
    "population",
    "households",
    "median_income",
)
CATEGORICAL_COLUMN = "ocean_proximity"
FEATURE_COLUMNS: tuple[str, ...] = (*NUMERIC_COLUMNS, CATEGORICAL_COLUMN)
ALL_COLUMNS: tuple[str, ...] = (*NUMERIC_COLUMNS, LABEL, CATEGORICAL_COLUMN)
OCEAN_CATEGORIES: tuple[str, ...] = ("<1H OCEAN", "INLAND", "ISLAND", "NEAR BAY", "NEAR OCEAN")
_COUNT = (0.0, float(np.finfo(np.float32).max))
#: The closed interval each numeric feature may take; ages, counts and income cannot be negative.
NUMERIC_RANGES: dict[str, tuple[float, float]] = {
    "longitude": (-180.0, 180.0),
    "latitude": (-90.0, 90.0),
    **{column: _COUNT for column in NUMERIC_COLUMNS[2:]},
}


class SchemaError(ValueError):
    """Input rows that do not match the housing feature schema; the message names the problem."""


class OutOfRangeError(SchemaError):
    """Well-formed rows with a value the data cannot hold (infinite, negative count, unknown category).

    ``http_status`` tells a scoring server to answer 422 (Unprocessable Content) rather than 400.
    """

    http_status = 422


_LOW = np.array([NUMERIC_RANGES[c][0] for c in NUMERIC_COLUMNS], dtype=np.float32)
_HIGH = np.array([NUMERIC_RANGES[c][1] for c in NUMERIC_COLUMNS], dtype=np.float32)
_KNOWN_CATEGORIES = frozenset(OCEAN_CATEGORIES)


def _check_ranges(numeric: np.ndarray, category: np.ndarray) -> None:
    # The whole table in three array operations: per-column calls cost more than scoring one row.
    # NaN is a missing value (null) and passes, since it compares false; +-inf (and 1e308, infinite
    # in float32) do not.
    bad = (numeric < _LOW) | (numeric > _HIGH)
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        low, high = NUMERIC_RANGES[NUMERIC_COLUMNS[j]]
        raise OutOfRangeError(
            f"row {i}: column '{NUMERIC_COLUMNS[j]}' must be a finite number in [{low:g}, {high:g}], "
            f"got {numeric[i, j]:g}"
        )
    unknown = [i for i, label in enumerate(category[:, 0]) if label not in _KNOWN_CATEGORIES]
    if unknown:
        i = unknown[0]
        raise OutOfRangeError(
            f"row {i}: column '{CATEGORICAL_COLUMN}' must be one of {', '.join(OCEAN_CATEGORIES)}, "
            f"got {category[i, 0]!r}"
        )


def _numeric(value: Any, row: int, column: str) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SchemaError(
            f"row {row}: column '{column}' must be a number or null, got {type(value).__name__}"
        )
    value = float(value)
    if value != value:  # a NaN literal: missing values are null, so this one is not data
        raise OutOfRangeError(f"row {row}: column '{column}' must be a finite number or null, got NaN")
    return value


_ROW_BY_ROW_UP_TO = 8
_NONE_TYPE = type(None)
_NUMBER_TYPES = np.array([int, float, _NONE_TYPE], dtype=object)
_STRING_TYPES = np.array([str], dtype=object)
_type_of = np.frompyfunc(type, 1, 1)


def _columns(numeric: np.ndarray, category: np.ndarray) -> dict[str, np.ndarray]:
    return {
        **{c: numeric[:, j] for j, c in enumerate(NUMERIC_COLUMNS)},
        CATEGORICAL_COLUMN: category.reshape(-1),
    }


def _well_formed_lists(rows: Sequence[Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """The numeric table and categories of a batch of well-formed value lists, checked column-wise; None for anything
    else (mappings, a wrong type, a NaN literal, a huge integer), which the row-by-row path reports.

    A 1,000-row batch is checked in a few array operations instead of 9,000 Python calls.
    """
    if not isinstance(rows, list) or not all(type(row) is list for row in rows):
        return None
    try:
        table = np.array(rows, dtype=object)
    except ValueError:  # ragged
        return None
    if table.shape != (len(rows), len(FEATURE_COLUMNS)):
        return None
    values, labels = table[:, : len(NUMERIC_COLUMNS)], table[:, len(NUMERIC_COLUMNS)]
    types = _type_of(values)
    if not np.isin(types, _NUMBER_TYPES).all() or not np.isin(_type_of(labels), _STRING_TYPES).all():
        return None
    missing = np.isin(types, [_NONE_TYPE])
    try:
        numeric = np.where(missing, np.nan, values).astype(np.float32)
    except OverflowError:
        return None
    if np.isnan(numeric[~missing]).any():
        return None
    return numeric, labels.reshape(-1, 1)


# A value beyond float32 (1e308) becomes inf, which the range check refuses: no warning to log.
@np.errstate(over="ignore")
def rows_to_columns(rows: Sequence[Any]) -> dict[str, np.ndarray]:
    """Turn JSON rows into one array per feature column (float32 numbers, string categories).

    A row is either a list of the nine feature values in :data:`FEATURE_COLUMNS` order, or a
    mapping keyed by column name (extra keys are refused so typos do not pass silently).
    ``None`` stands for a missing numeric value; values outside :data:`NUMERIC_RANGES` or the known
    categories raise :class:`OutOfRangeError`.
    """
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes) or len(rows) == 0:
        raise SchemaError("'data' must be a non-empty list of rows")
    # Below a few rows the array checks' fixed cost exceeds the row-by-row loop's.
    fast = _well_formed_lists(rows) if len(rows) > _ROW_BY_ROW_UP_TO else None
    if fast is not None:
        _check_ranges(*fast)
        return _columns(*fast)
    numeric = np.empty((len(rows), len(NUMERIC_COLUMNS)), dtype=np.float32)
    category = np.empty((len(rows), 1), dtype=object)
    for i, row in enumerate(rows):
        if isinstance(row, Mapping):
            missing = [c for c in FEATURE_COLUMNS if c not in row]
            if missing:
                raise SchemaError(f"row {i}: missing column(s) {', '.join(missing)}")
            extra = sorted(set(row) - set(FEATURE_COLUMNS))
            if extra:
                raise SchemaError(f"row {i}: unknown column(s) {', '.join(map(str, extra))}")
            values = [row[c] for c in FEATURE_COLUMNS]
        elif isinstance(row, Sequence) and not isinstance(row, str | bytes):
            if len(row) != len(FEATURE_COLUMNS):
                raise SchemaError(
                    f"row {i}: expected {len(FEATURE_COLUMNS)} values ({', '.join(FEATURE_COLUMNS)}), got {len(row)}"
                )
            values = list(row)
        else:
            raise SchemaError(f"row {i}: expected a list of values or an object keyed by column name")
        for j, column in enumerate(NUMERIC_COLUMNS):
            numeric[i, j] = _numeric(values[j], i, column)
        label = values[-1]
        if not isinstance(label, str):
            raise SchemaError(
                f"row {i}: column '{CATEGORICAL_COLUMN}' must be a string, got {type(label).__name__}"
            )
        category[i, 0] = label
    _check_ranges(numeric, category)
    return _columns(numeric, category)
