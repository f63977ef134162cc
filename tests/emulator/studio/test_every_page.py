"""Every studio page, with a deployed service and a model registered from a run, in a real Chromium:
no console error, no script error and no "Invalid" anywhere (times, dates, chart scales)."""

from __future__ import annotations

import pytest

from emulator.core import Dataset, Model, Run
from emulator.core.webservice import InferenceConfig
from training import score

pytestmark = pytest.mark.slow


@pytest.fixture
def shipped(studio_workspace, housing_onnx, housing_path, monkeypatch):
    """A model registered from the sweep's first trial with its training dataset, served by a process."""
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(studio_workspace.home))
    ws = studio_workspace.workspace
    datastore = ws.get_default_datastore()
    datastore.upload_files([str(housing_path)], target_path="pages", overwrite=True, show_progress=False)
    train = Dataset.Tabular.from_delimited_files(path=(datastore, f"pages/{housing_path.name}"))
    train = train.register(workspace=ws, name="pages-train", create_new_version=True)
    run = Run.get(ws, studio_workspace.trial_ids[0])
    for file in housing_onnx.parent.iterdir():  # model.onnx and its model_onnx.json
        run.upload_file(f"outputs/pages/{file.name}", str(file))
    model = run.register_model("pages-model", "outputs/pages", datasets=[("training data", train)])
    config = InferenceConfig(entry_script="score.py", source_directory=str(score.__file__).rsplit("/", 1)[0])
    service = Model.deploy(ws, "pages-service", [model], config)
    service.wait_for_deployment()
    try:
        yield model
    finally:
        service.delete()


def test_every_page_renders_without_a_console_error_or_an_invalid_value(
    browser, studio, studio_workspace, shipped
):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=studio.url)
    tab = context.new_page()
    problems = []
    tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    tab.on("response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None)
    pages = [
        "#/runs",
        "#/runs?experiment=studio-sweep&metric=score",
        f"#/runs/{studio_workspace.sweep_id}",
        f"#/runs/{studio_workspace.bandit_id}",
        f"#/runs/{studio_workspace.trial_ids[0]}",
        f"#/runs/{studio_workspace.automl_id}",
        f"#/runs/{studio_workspace.automl_child_ids[0]}",
        f"#/runs/{studio_workspace.image_run_id}",
        f"#/compare?ids={studio_workspace.trial_ids[0]},{studio_workspace.trial_ids[1]}",
        "#/models",
        "#/services",
    ]
    shown = {}
    try:
        for fragment in pages:
            tab.goto(f"/{fragment}")
            tab.wait_for_function("f => document.body.dataset.rendered === f", arg=fragment)
            shown[fragment] = tab.locator("body").inner_text()
            if "Invalid" in shown[fragment]:
                at = shown[fragment].index("Invalid")
                problems.append(f"{fragment}: {shown[fragment][max(0, at - 80) : at + 80]!r}")
    finally:
        context.close()
    assert problems == []
    # The registry shows the run the model came from and its training data; the service its time.
    models, services = shown["#/models"], shown["#/services"]
    assert studio_workspace.trial_ids[0] in models and "training data: " in models, models
    assert "pages-service" in services and "20" in services.split("pages-service", 1)[1], services
