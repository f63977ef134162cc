"""Tabular datasets: reading, steps, and versions that refer to their paths as Azure's do."""

from __future__ import annotations

import pytest

from emulator.core import Dataset, Datastore
from emulator.exceptions import UserErrorException


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("a,b,label\n1,,10\n2,x,20\n3,y,30\n")
    return path


def test_from_delimited_files_reads_rows_with_missing_values(csv):
    frame = Dataset.Tabular.from_delimited_files(str(csv)).to_pandas_dataframe()
    assert list(frame.columns) == ["a", "b", "label"]
    assert frame["b"].isna().sum() == 1


def test_steps_apply_lazily(csv):
    dataset = Dataset.Tabular.from_delimited_files(str(csv)).skip(1).take(1).drop_columns("b")
    assert dataset.to_pandas_dataframe().to_dict("list") == {"a": [2], "label": [20]}


def test_a_version_reads_whatever_is_at_its_path_now_as_on_azure(workspace, csv):
    dataset = Dataset.Tabular.from_delimited_files(str(csv))
    first = dataset.register(workspace, "rows")
    assert dataset.register(workspace, "rows").version == first.version == 1
    csv.write_text("a,b,label\n9,z,90\n")
    # Same path, options and steps: the same definition, so the same version; and it reads the new rows.
    assert Dataset.Tabular.from_delimited_files(str(csv)).register(workspace, "rows").version == 1
    assert Dataset.get_by_name(workspace, "rows", version=1).to_pandas_dataframe()["a"].tolist() == [9]
    changed = Dataset.Tabular.from_delimited_files(str(csv)).take(1)
    with pytest.raises(UserErrorException, match="create_new_version=True"):
        changed.register(workspace, "rows")
    second = changed.register(workspace, "rows", create_new_version=True)
    assert second.version == 2
    assert Dataset.get_by_id(workspace, first.id).version == 1
    assert set(workspace.datasets) == {"rows"}
    csv.unlink()
    with pytest.raises(UserErrorException, match="Cannot load any data.*no longer there"):
        Dataset.get_by_name(workspace, "rows", version=1).to_pandas_dataframe()


def test_missing_files_and_names_raise_clear_errors(workspace, tmp_path):
    with pytest.raises(UserErrorException, match="Cannot load any data"):
        Dataset.Tabular.from_delimited_files(str(tmp_path / "none.csv"))
    with pytest.raises(UserErrorException, match="Cannot find dataset registered with name 'nope'"):
        Dataset.get_by_name(workspace, "nope")


def test_datastore_paths_feed_datasets(workspace, csv):
    datastore = workspace.get_default_datastore()
    datastore.upload(str(csv.parent), target_path="raw")
    dataset = Dataset.Tabular.from_delimited_files([(datastore, "raw/rows.csv")])
    assert len(dataset.to_pandas_dataframe()) == 3
    assert isinstance(Datastore.get(workspace, "workspaceblobstore"), Datastore)


def test_housing_file_loads_with_its_missing_bedrooms(workspace, housing_path):
    frame = Dataset.Tabular.from_delimited_files(str(housing_path)).to_pandas_dataframe()
    assert frame.shape == (20640, 10)
    assert frame["total_bedrooms"].isna().sum() == 207
