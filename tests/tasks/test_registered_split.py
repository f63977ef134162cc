"""prepare-data: both halves registered, the test half readable back with its fingerprint."""

from __future__ import annotations

from backends import open_backend
from tasks.registered_split import prepare_data, read_split
from training.split import fingerprint


def test_the_registered_test_half_reproduces_the_split_fingerprint(duel_settings):
    refs = prepare_data.fn(duel_settings)
    assert (refs.train_rows, refs.test_rows) == (800, 200)
    assert (refs.train.name, refs.test.name) == ("california-housing-train", "california-housing-test")
    test = read_split(open_backend(duel_settings), refs.test)
    assert len(test) == 200 and fingerprint(test) == refs.split_fingerprint


def test_the_same_settings_register_the_same_versions(duel_settings):
    assert prepare_data.fn(duel_settings) == prepare_data.fn(duel_settings)


def test_another_seed_registers_new_versions_with_another_fingerprint(duel_settings):
    first = prepare_data.fn(duel_settings)
    second = prepare_data.fn(duel_settings.merged(split_seed=7))
    assert second.train.version == first.train.version + 1
    assert second.split_fingerprint != first.split_fingerprint
