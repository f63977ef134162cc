"""Every public entry point that writes keeps its writes inside the workspace, whatever the name or path;
bad names get the SDK's errors (or UserErrorException naming the rule), never an OSError."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.core import Dataset, Datastore, Environment, Model, Workspace
from emulator.exceptions import AzureMLException, UserErrorException

HOSTILE_PARTS = st.sampled_from(
    ["..", ".", "", "/", "\\", "\0", "\n", "\x7f", "~", "etc", "hostname", "a" * 300, "\ud800", "é", " "]
)
HOSTILE = st.one_of(
    st.lists(HOSTILE_PARTS, min_size=1, max_size=10).map("/".join),
    st.lists(HOSTILE_PARTS, min_size=1, max_size=10).map("".join),
    st.text(max_size=40),
)


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")} if folder.exists() else set()


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A workspace whose emulator home sits deep inside ``outside``: a write that climbs out of the home
    (as many '..' as a hostile name and path can carry together) still lands where the test looks."""
    outside = tmp_path / "outside"
    home = outside.joinpath(*["d"] * 24, "home")
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(home))
    workspace = Workspace("sub", "rg", "contained-ws")
    source = tmp_path / "source" / "a" / "b" / "c" / "d"
    source.mkdir(parents=True)
    (tmp_path / "source" / "etc").mkdir()
    (tmp_path / "source" / "etc" / "hostname").write_text("payload")
    (source / "file.txt").write_text("payload")
    (source / "rows.csv").write_text("a,b\n1,2\n")
    return outside, home, workspace, tmp_path / "source"


def test_upload_files_with_dots_in_a_source_path_stays_inside_the_datastore(sandbox):
    _, home, workspace, source = sandbox
    escaping = str(source) + "/a/b/c/d/" + "../" * 8 + "etc/hostname"
    with pytest.raises(UserErrorException, match="relative_root"):
        Datastore.get_default(workspace).upload_files([escaping], relative_root=str(source))
    # the same file, named without climbing out, lands where the SDK would put it
    inside = str(source) + "/a/b/c/d/" + "../" * 4 + "etc/hostname"
    Datastore.get_default(workspace).upload_files([inside], relative_root=str(source), target_path="t")
    assert (home / "contained-ws" / "datastores" / "workspaceblobstore" / "t" / "etc" / "hostname").is_file()


@pytest.mark.parametrize("name", ["x" * 300, "a\0b", "a\nb", "../x"])
def test_bad_workspace_names_get_the_sdks_resource_name_error(sandbox, name):
    for make in (
        lambda: Workspace("s", "rg", name),
        lambda: Workspace.get(name),
        lambda: Workspace.create(name, subscription_id="s", resource_group="rg"),
    ):
        with pytest.raises(UserErrorException, match="Workspace name must be between 3 and 33 characters"):
            make()


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("x" * 300, "at most 255 bytes"),
        ("a\0b", "NUL or control"),
        ("a\x1bb", "NUL or control"),
        ("/etc/x", "relative"),
    ],
)
def test_bad_artifact_names_name_the_rule(sandbox, tmp_path, name, rule):
    _, _, workspace, source = sandbox
    from emulator.core import Experiment

    run = Experiment(workspace, "names").start_logging()
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "f").write_text("x")
    with pytest.raises(UserErrorException, match=rule):
        run.upload_file(name, str(source / "a" / "b" / "c" / "d" / "file.txt"))
    if not name.startswith("/"):
        with pytest.raises(UserErrorException, match=rule):
            run.upload_folder(name, str(tmp_path / "folder"))
    run.complete()


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("../x", "contain only"),
        ("a\0", "contain only"),
        ("x" * 5000, "1-255 characters"),
        ("AzureML-x", "reserved"),
    ],
)
def test_environment_register_refuses_names_azure_refuses(sandbox, name, rule):
    _, _, workspace, _ = sandbox
    with pytest.raises(UserErrorException, match=rule):
        Environment(name).register(workspace)
    assert Environment("fine-env.1").register(workspace).version == "1"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=HOSTILE, other=HOSTILE)
def test_no_hostile_name_writes_outside_the_workspace(sandbox, name, other):
    outside, home, workspace, source = sandbox
    before = _files(outside) - _files(home)
    file = str(source / "a" / "b" / "c" / "d" / "file.txt")
    store = Datastore.get_default(workspace)
    from emulator.core import Experiment

    run = Experiment(workspace, "hostile").start_logging()
    writes = [
        lambda: Workspace("s", "rg", name),
        lambda: Experiment(workspace, name),
        lambda: run.upload_file(name, file),
        lambda: run.upload_folder(name, str(source)),
        lambda: run.upload_files([name, other], [file, file]),
        lambda: store.upload_files([file], target_path=name, overwrite=True),
        lambda: store.upload_files([str(source) + "/" + name], relative_root=str(source), overwrite=True),
        lambda: store.upload_files([file], relative_root=name, target_path=other, overwrite=True),
        lambda: store.upload(str(source), target_path=name, overwrite=True),
        lambda: Datastore(workspace, name),
        lambda: Environment(name).register(workspace),
        lambda: run.register_model(name, other),
        lambda: run.log_image(name, path=file),
        lambda: run.child_run(name=name, run_id=other),
        lambda: Model.register(workspace, model_path=file, model_name=name),
        lambda: Dataset.Tabular.from_delimited_files(str(source / "a/b/c/d/rows.csv")).register(
            workspace, name
        ),
    ]
    for write in writes:
        try:
            write()
        except (AzureMLException, TypeError):
            pass  # refused with the SDK's error (an OSError would fail the test): now, where did it write?
    run.complete()
    assert _files(outside) - _files(home) == before, f"{name!r} / {other!r} wrote outside the workspace"
    assert os.path.realpath(home) == str(home.resolve())
