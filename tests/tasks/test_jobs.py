"""The two jobs' requests, built from settings: what the backend submits."""

from __future__ import annotations

from backends.messages import AutoMLJob, ClusterSpec, DatasetRef, SweepJob, from_json, to_json
from tasks.automl_job import PRIMARY_METRIC, automl_job
from tasks.hyperdrive_job import sweep_job
from tasks.registered_split import DataRefs
from tasks.settings import DuelSettings
from training import SOURCE_DIRECTORY

REFS = DataRefs(DatasetRef("housing-train", 3), DatasetRef("housing-test", 3), "f1ngerprint", 800, 200)
CLUSTER = ClusterSpec("cluster", "STANDARD_DS3_V2", 2)


def test_the_automl_job_trains_on_the_registered_train_half_with_the_settings_budget():
    settings = DuelSettings(automl_iterations=7, automl_allowed_models="LightGBM, ElasticNet")
    job = automl_job(settings, REFS, CLUSTER)
    assert job.training == DatasetRef("housing-train", 3) and job.primary_metric == PRIMARY_METRIC
    assert job.iterations == 7 and job.allowed_models == ("LightGBM", "ElasticNet")
    assert job.tags == {"split": "f1ngerprint"} and job.experiment == "automl-duel-automl"
    assert from_json(AutoMLJob, to_json(job)) == job


def test_the_sweep_uploads_the_training_folder_and_names_the_registered_version():
    job = sweep_job(DuelSettings(hyperdrive_epochs=3, hyperdrive_max_total_runs=5), REFS, CLUSTER)
    assert job.source_directory == str(SOURCE_DIRECTORY) and (SOURCE_DIRECTORY / job.script).is_file()
    arguments = dict(zip(job.arguments[::2], job.arguments[1::2], strict=True))
    assert arguments == {
        "--dataset-name": "housing-train",
        "--dataset-version": "3",
        "--epochs": "3",
        "--seed": "42",
    }
    assert job.max_total_runs == 5 and job.parameter_space["--loss"] == ("choice", ("l1", "huber"))
    assert from_json(SweepJob, to_json(job)) == job
