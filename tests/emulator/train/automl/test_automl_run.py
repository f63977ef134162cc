"""AutoML end to end through Experiment.submit: a real driver process, child runs, the store."""

from __future__ import annotations

import numpy as np
import pytest

from emulator.core import Experiment, Run, Workspace
from emulator.exceptions import ActivityFailedException
from emulator.train.automl import AutoMLConfig, AutoMLRun
from emulator.train.automl.exceptions import ConfigException
from training.schema import LABEL

PRIMARY = "normalized_mean_absolute_error"


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, small_housing) -> AutoMLRun:
    """One small experiment shared by the read-only tests below (it takes seconds, not minutes)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DUEL_EMULATOR_HOME", str(tmp_path_factory.mktemp("automl-home")))
        patch.delenv("AZUREML_RUN_ID", raising=False)
        experiment = Experiment(Workspace("sub", "rg", "automl-ws"), "automl")
        run = experiment.submit(_config(small_housing))
        run.wait_for_completion(show_output=False)
    return run


def _config(data) -> AutoMLConfig:
    return AutoMLConfig(
        task="regression",
        primary_metric=PRIMARY,
        training_data=data,
        label_column_name=LABEL,
        allowed_models=["ElasticNet", "DecisionTree", "KNN"],
        iterations=5,
        max_concurrent_iterations=2,
        experiment_timeout_minutes=15,
        model_explainability=True,
    )


def test_submit_runs_iterations_as_named_child_runs_with_metrics_models_and_ensembles(
    finished_run, raw_features
):
    assert isinstance(finished_run, AutoMLRun) and finished_run.get_status() == "Completed"
    children = list(finished_run.get_children())
    names = [c.display_name for c in children]
    assert names[:3] == [
        "StandardScalerWrapper, ElasticNet",
        "MaxAbsScaler, DecisionTree",
        "StandardScalerWrapper, KNN",
    ]
    assert names[-2:] == ["VotingEnsemble", "StackEnsemble"]
    assert all(c.id == f"{finished_run.id}_{c.properties['iteration']}" for c in children)
    for child in children:
        metrics = child.get_metrics()
        assert {PRIMARY, "r2_score", "spearman_correlation", "residuals", "predicted_true"} <= set(metrics)
        assert "outputs/model.pkl" in child.get_file_names()
    scores = {c.display_name: c.get_metrics()[PRIMARY] for c in children}
    singles = [v for n, v in scores.items() if "Ensemble" not in n]
    assert scores["VotingEnsemble"] <= min(singles) + 1e-12

    best_run, model = finished_run.get_output()
    assert best_run.get_metrics()[PRIMARY] == min(scores.values())
    predictions = model.predict(raw_features)
    assert predictions.shape == (len(raw_features),) and np.isfinite(predictions).all()
    assert 10_000 < np.median(predictions) < 600_000  # dollars, not a transformed target
    assert "feature_importance" in best_run.get_metrics()


def test_get_output_selects_by_iteration_and_by_metric(finished_run):
    first, _ = finished_run.get_output(iteration=0)
    assert first.properties["iteration"] == "0"
    by_r2, _ = finished_run.get_output(metric="r2_score")
    best_r2 = max(c.get_metrics()["r2_score"] for c in finished_run.get_children())
    assert by_r2.get_metrics()["r2_score"] == best_r2
    with pytest.raises(ConfigException, match="ONNX"):
        finished_run.get_output(return_onnx_model=True)


def test_outputs_hold_featurization_summary_and_guardrails(finished_run):
    files = finished_run.get_file_names()
    assert {"outputs/featurization_summary.json", "outputs/engineered_feature_names.json"} <= set(files)
    guardrails = finished_run.get_guardrails(to_console=False)["faults"]
    assert {g["result"] for g in guardrails} <= {"Passed", "Done", "Alerted"}
    assert Run.get(finished_run.experiment.workspace, finished_run.id).type == "automl"
    assert finished_run.summary()["Iterations"].sum() == len(list(finished_run.get_children()))


def test_sdk_dependencies_are_the_versions_the_run_was_made_with(finished_run, caplog):
    import lightgbm
    import sklearn

    dependencies = finished_run.get_run_sdk_dependencies()
    assert dependencies["scikit-learn"] == sklearn.__version__
    assert dependencies["lightgbm"] == lightgbm.__version__
    assert finished_run.get_run_sdk_dependencies(iteration=0) == dependencies
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    with pytest.raises(ConfigException, match="iteration"):
        finished_run.get_run_sdk_dependencies(iteration=-1)
    with pytest.raises(NotImplementedError):
        finished_run.retry()


def test_iteration_timeout_fails_slow_iterations_for_real(experiment, small_housing):
    config = AutoMLConfig(
        task="regression",
        primary_metric=PRIMARY,
        training_data=small_housing,
        label_column_name=LABEL,
        allowed_models=["RandomForest"],
        iterations=1,
        iteration_timeout_minutes=0.01,  # 0.6 s: a hundred full-depth trees on 4 folds cannot finish
        enable_voting_ensemble=False,
        enable_stack_ensemble=False,
        model_explainability=False,
    )
    run = experiment.submit(config)
    with pytest.raises(ActivityFailedException):  # as the SDK's AutoMLRun, a failed experiment raises
        run.wait_for_completion(show_output=False)
    (child,) = run.get_children()
    assert child.get_status() == "Failed"
    assert child.get_details()["error"]["error"]["code"] == "IterationTimeout"
    assert run.get_status() == "Failed"  # no iteration completed


def test_onnx_mode_trains_only_exportable_pipelines_and_writes_the_best_ones_onnx_copy(
    experiment, small_housing, tmp_path
):
    config = AutoMLConfig(
        task="regression",
        primary_metric=PRIMARY,
        training_data=small_housing,
        label_column_name=LABEL,
        allowed_models=["RandomForest", "KNN"],
        iterations=3,
        max_concurrent_iterations=2,
        enable_onnx_compatible_models=True,
        model_explainability=False,
    )
    run = experiment.submit(config)
    run.wait_for_completion(show_output=False)
    children = list(run.get_children())
    assert "StackEnsemble" not in [c.display_name for c in children]
    _, forest = run.get_output(
        iteration=next(int(c.properties["iteration"]) for c in children if c.display_name == "RandomForest")
    )
    estimator = forest.steps[-1][1].regressor_  # inside the log-label transform
    assert len(forest.steps) == 2  # featurizer and trees: no scaler in front of trees
    assert estimator.n_estimators <= 100 and estimator.max_depth <= 14
    from training.onnx_layout import predict_file

    # As on Azure, the best iteration's ONNX copy is in its outputs, found without the AutoML runtime,
    # with the resource file that maps the raw columns to its inputs beside it.
    best = run.get_best_child(onnx_compatible=True)
    assert run.get_properties()["onnx_model_run_id"] == best.id
    best_child, exported = run.get_output(return_onnx_model=True)
    assert best_child.id == best.id
    written = tmp_path / "model.onnx"
    best.download_file("outputs/model.onnx", str(written))
    best.download_file("outputs/model_onnx.json", str(tmp_path / "model_onnx.json"))
    assert exported.SerializeToString() == written.read_bytes()
    rows = small_housing.drop(columns=[LABEL]).head(200)
    _, best_native = run.get_output(iteration=int(best.properties["iteration"]))
    np.testing.assert_allclose(predict_file(written, rows), best_native.predict(rows), rtol=1e-3, atol=5.0)
    # With no time left for the winner's graph (an ensemble's is the largest), the best single
    # iteration is converted instead: the job still ends with an ONNX model.
    from emulator.train.automl._onnx_layout import raw_column_types
    from emulator.train.automl._onnx_outputs import ENSEMBLES, write_onnx_outputs

    scored = [child for _, child in run._scored_children(PRIMARY)]
    voting = next(c for c in scored if c.properties["run_algorithm"] == "VotingEnsemble")
    bare = [
        c
        for c in scored
        if c.properties["run_algorithm"] not in ENSEMBLES and "outputs/model.onnx" not in c.get_file_names()
    ]
    assert write_onnx_outputs([voting, *bare], raw_column_types(rows), seconds=0) == bare[0].id
    assert "outputs/model.onnx" in bare[0].get_file_names()
