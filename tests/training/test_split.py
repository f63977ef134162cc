"""The shared split: deterministic, fingerprinted, and the missing-value quirk of the seed 42 split."""

from __future__ import annotations

import pytest

from training.split import fingerprint, split_frame


def test_split_is_deterministic(housing):
    train_a, test_a, fp_a = split_frame(housing, 0.2, 42)
    train_b, test_b, fp_b = split_frame(housing.copy(), 0.2, 42)
    assert test_a.index.equals(test_b.index)
    assert train_a.index.equals(train_b.index)
    assert fp_a == fp_b
    assert len(test_a) == 4128


def test_fingerprint_changes_with_seed_and_fraction(housing):
    fps = {split_frame(housing, size, seed)[2] for size, seed in [(0.2, 42), (0.2, 43), (0.25, 42)]}
    assert len(fps) == 3


def test_fingerprint_ignores_row_order_but_not_values(housing):
    _, test, fp = split_frame(housing, 0.2, 42)
    assert fingerprint(test.sample(frac=1.0, random_state=1)) == fp
    changed = test.copy()
    changed.iloc[0, 0] += 0.01
    assert fingerprint(changed) != fp


def test_all_missing_bedrooms_fall_into_the_test_split(housing):
    # The public file's quirk: the model never sees a missing value while fitting, yet must score 207.
    train, test, _ = split_frame(housing, 0.2, 42)
    assert train["total_bedrooms"].isna().sum() == 0
    assert test["total_bedrooms"].isna().sum() == 207


def test_bad_fraction_refused(housing):
    with pytest.raises(ValueError, match="test_size"):
        split_frame(housing, 1.5, 42)
