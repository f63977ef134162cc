"""Small slices of the housing data for AutoML tests."""

from __future__ import annotations

import pytest

from training.schema import LABEL


@pytest.fixture(scope="session")
def small_housing(housing):
    """1,500 rows: enough for 3-fold CV, small enough for iterations of a fraction of a second."""
    return housing.sample(1500, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def raw_features(housing):
    """Rows to score, with the test split's quirks: missing bedrooms and an unseen category."""
    rows = housing.drop(columns=[LABEL]).head(20).copy()
    rows.loc[rows.index[0], "total_bedrooms"] = None
    rows.loc[rows.index[1], "ocean_proximity"] = "ATLANTIS"
    return rows
