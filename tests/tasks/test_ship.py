"""Shipping tasks on a HyperDrive-style contestant: a small MLP saved in a run of the emulated workspace."""

from __future__ import annotations

from dataclasses import replace

import onnx
import pytest

from backends.messages import Deployment, LoggedRun, RunRef
from emulator.core import Experiment, Webservice
from tasks.compare import Verdict, score
from tasks.contestants import HYPERDRIVE, Contestant, load_model
from tasks.promotion import nightly_gate
from tasks.registered_split import prepare_data, read_split
from tasks.ship import export_winner, register_winner, smoke_test
from training import SOURCE_DIRECTORY, mlp
from training.schema import FEATURE_COLUMNS, LABEL


@pytest.fixture
def shipped(duel_settings, emulator_backend, tmp_path):
    """(settings, refs, contestant, its test score): an MLP trained on the train half, saved by its run."""
    refs = prepare_data.fn(duel_settings)
    train = read_split(emulator_backend, refs.train)
    model = mlp.TorchMLPRegressor(hidden_layers=(8,), epochs=3, n_threads=1, device="cpu")
    model.fit(train.loc[:, list(FEATURE_COLUMNS)], train[LABEL])
    run = Experiment(emulator_backend.workspace, "duel-hyperdrive").start_logging()
    run.upload_folder("outputs/model", str(mlp.save(model, tmp_path / "model")))
    run.complete()
    contestant = Contestant(HYPERDRIVE, RunRef("duel-hyperdrive", "HD_sweep"), run.id)
    test = read_split(emulator_backend, refs.test)
    predicted = model.predict(test.loc[:, list(FEATURE_COLUMNS)])
    result = score(
        HYPERDRIVE, "TorchMLP 8", run.id, test[LABEL].to_numpy(), predicted, refs.split_fingerprint
    )
    return duel_settings, refs, contestant, result


def test_the_contestant_is_fetched_from_its_run_once(shipped, emulator_backend):
    _, _, contestant, _ = shipped
    loaded = load_model(emulator_backend, contestant)
    assert loaded is load_model(emulator_backend, contestant)
    assert (loaded.algorithm, loaded.run_id) == ("TorchMLP 8", contestant.model_run_id)


def test_the_export_carries_the_training_run_and_passes_parity(shipped):
    settings, refs, contestant, result = shipped
    exported = export_winner.fn(settings, refs, contestant, result)
    assert exported.parity["passed"] is True and exported.run_id == contestant.model_run_id
    metadata = {p.key: p.value for p in onnx.load_model(exported.onnx_path).metadata_props}
    assert metadata["training_run_id"] == contestant.model_run_id
    assert metadata["dataset_version"] == str(refs.train.version)


def test_registering_crowns_no_one_and_only_the_gate_promotes_a_better_challenger(shipped, emulator_backend):
    settings, refs, contestant, result = shipped
    exported = export_winner.fn(settings, refs, contestant, result)
    verdict = Verdict(result, result, 0.0, 0.0, 0.0, 0)
    first = register_winner.fn(settings, refs, contestant, result, exported)
    assert not emulator_backend.find_models(settings.model_name, {"champion": "true"})
    crowned = nightly_gate.fn(settings, refs, verdict, exported.onnx_path, first.onnx_model)
    # The same night retried registers nothing new; the next night's run is a new challenger.
    again = register_winner.fn(settings, refs, contestant, result, exported)
    assert (again.onnx_model.ref, again.native_model.ref) == (first.onnx_model.ref, first.native_model.ref)
    # Another night's training run (models are registered from their run).
    tomorrow = emulator_backend.log_run(LoggedRun("duel-hyperdrive", "next night", {}))
    next_night = replace(exported, run_id=tomorrow.run_id)
    second = register_winner.fn(settings, refs, contestant, result, next_night)
    kept = nightly_gate.fn(settings, refs, verdict, exported.onnx_path, second.onnx_model)
    assert crowned.promoted and not kept.promoted
    assert "does not beat the champion" in kept.summary and second.onnx_model.ref in kept.summary
    assert second.onnx_model.version == first.onnx_model.version + 1
    champions = emulator_backend.find_models(settings.model_name, {"champion": "true"})
    assert [m.ref for m in champions] == [first.onnx_model.ref]


def test_the_smoke_test_scores_through_the_live_service_like_in_process_onnx(shipped, emulator_backend):
    settings, refs, contestant, result = shipped
    exported = export_winner.fn(settings, refs, contestant, result)
    registered = register_winner.fn(settings, refs, contestant, result, exported)
    deployment = Deployment(
        "smoke-svc", (registered.onnx_model.ref,), "score.py", str(SOURCE_DIRECTORY), "local"
    )
    endpoint = emulator_backend.deploy(deployment)
    try:
        smoke = smoke_test.fn(settings, refs, endpoint, exported, rows=50)
        assert smoke.rows == 50 and smoke.max_rel_diff < 1e-6
    finally:
        Webservice(emulator_backend.workspace, endpoint.name).delete()
