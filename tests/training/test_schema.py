"""Batches of value lists take the column-wise path; it must agree with the row-by-row checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from training import schema
from training.schema import FEATURE_COLUMNS, SchemaError, rows_to_columns

ROW = [-122.23, 37.88, 41, 880.0, None, 322.0, 126.0, 8.3252, "NEAR BAY"]


def _batch(n: int = 50) -> list[list]:
    return [[v + i if isinstance(v, float) else v for v in ROW] for i in range(n)]


def test_a_batch_of_lists_gives_the_same_columns_as_the_same_rows_as_mappings():
    rows = _batch()
    as_lists = rows_to_columns(rows)
    as_mappings = rows_to_columns([dict(zip(FEATURE_COLUMNS, row, strict=True)) for row in rows])
    assert list(as_lists) == list(FEATURE_COLUMNS) == list(as_mappings)
    for column in schema.NUMERIC_COLUMNS:
        np.testing.assert_array_equal(as_lists[column], as_mappings[column])
        assert as_lists[column].dtype == np.float32 and as_lists[column].shape == (len(rows),)
    assert np.isnan(as_lists["total_bedrooms"]).all()  # null is a missing value
    assert as_lists[schema.CATEGORICAL_COLUMN].tolist() == as_mappings[schema.CATEGORICAL_COLUMN].tolist()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (2, "41", "row 7: column 'housing_median_age' must be a number or null, got str"),
        (3, True, "row 7: column 'total_rooms' must be a number or null, got bool"),
        (8, 1, "row 7: column 'ocean_proximity' must be a string, got int"),
    ],
)
def test_a_bad_value_deep_in_a_batch_is_reported_by_row_and_column(column, value, message):
    rows = _batch()
    rows[7][column] = value
    with pytest.raises(SchemaError, match=message):
        rows_to_columns(rows)


def test_a_short_row_in_a_batch_is_reported_by_row():
    rows = _batch()
    rows[3] = rows[3][:-1]
    with pytest.raises(SchemaError, match="row 3: expected 9 values"):
        rows_to_columns(rows)


def test_values_the_column_wise_path_cannot_judge_go_row_by_row():
    rows = _batch(3)
    rows[1][0] = math.nan  # a NaN literal: the row-by-row rule decides what it means
    assert schema._well_formed_lists(rows) is None
    rows = _batch(3)
    rows[2][5] = 10**400  # too large for a float
    assert schema._well_formed_lists(rows) is None
