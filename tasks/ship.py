"""Ship the winner: ONNX export behind the parity gate, registration, deployment, smoke test, report.

Thin Prefect tasks over plain functions (``tasks.onnx``, ``tasks.register``, the SDK's
``Model.deploy``); they pass plain references — paths, model ids, URIs — never live objects.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from prefect import get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact

from tasks.backend import sdk, workspace
from tasks.compare import TestScore, Verdict
from tasks.contestants import Contestant, load_model
from tasks.datasets import DataRefs, read_split
from tasks.onnx.export import to_onnx
from tasks.onnx.parity import check_parity
from tasks.register import register_winner as register_models
from tasks.report import render_markdown
from tasks.report_figures import report_figures, store_report
from tasks.settings import Backend, DeployTarget, DuelSettings
from training.schema import FEATURE_COLUMNS, frame_to_inputs

TRAINING_DIR = Path(__file__).resolve().parents[1] / "training"
SMOKE_TOLERANCE = 1e-4


def _test_frame(settings: DuelSettings, refs: DataRefs):
    return read_split(settings, workspace(settings), refs.test_name, refs.test_version)


def onnx_predict(path: str | Path, frame) -> np.ndarray:
    """Predictions of an ONNX file with one intra-op thread, as the scoring service runs it."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return np.asarray(session.run(None, frame_to_inputs(frame))[0], dtype=float).ravel()


@task(name="export-onnx")
def export_winner(settings: DuelSettings, refs: DataRefs, winner: Contestant, result: TestScore) -> dict:
    """Convert the winner to one ONNX graph and refuse it unless it predicts what the native model does."""
    logger = get_run_logger()
    model, algorithm, run_id = load_model(settings, winner)
    metadata = {
        "source_algorithm": algorithm,
        "training_run_id": run_id,
        "dataset_name": refs.train_name,
        "dataset_version": str(refs.train_version),
        "split_fingerprint": refs.split_fingerprint,
    }
    onnx_model = to_onnx(model, metadata=metadata)
    test = _test_frame(settings, refs)
    report = check_parity(model, onnx_model, test.loc[:, list(FEATURE_COLUMNS)])
    folder = Path(tempfile.mkdtemp(prefix="duel-onnx-"))
    path = folder / "model.onnx"
    onnx.save_model(onnx_model, path)
    logger.info("ONNX parity for %s: max abs error %.4g dollars", algorithm, report.max_abs_error)
    return {"onnx_path": str(path), "parity": report.as_dict(), "algorithm": algorithm, "run_id": run_id}


@task(name="register-model")
def register_winner(
    settings: DuelSettings, refs: DataRefs, winner: Contestant, result: TestScore, exported: dict
) -> dict:
    """Register the ONNX and native models with lineage; crowning a champion is the nightly gate's job."""
    model, _, _ = load_model(settings, winner)
    onnx_model, native_model = register_models(
        workspace(settings),
        model,
        onnx.load_model(exported["onnx_path"]),
        name=settings.model_name,
        metrics={"test_mae": result.mae, "test_rmse": result.rmse, "test_r2": result.r2},
        parity=exported["parity"],
        dataset_name=refs.train_name,
        dataset_version=refs.train_version,
        run_id=exported["run_id"],
        split_fingerprint=refs.split_fingerprint,
    )
    return {
        "onnx_model": f"{onnx_model.name}:{onnx_model.version}",
        "native_model": f"{native_model.name}:{native_model.version}",
    }


def _deployment_config(settings: DuelSettings, api):
    if settings.deploy_target is DeployTarget.ACI:
        return api.AciWebservice.deploy_configuration(
            cpu_cores=1, memory_gb=1, auth_enabled=True, description="automl-duel winner"
        )
    if settings.deploy_target is DeployTarget.DOCKER and settings.backend is Backend.EMULATOR:
        # The SDK's LocalWebservice is itself a Docker container; the emulator's runs a process
        # unless asked for a container explicitly.
        from emulator.core.webservice import DockerWebservice

        return DockerWebservice.deploy_configuration(port=None)
    return api.LocalWebservice.deploy_configuration(port=None)


@task(name="deploy-service", retries=2, retry_delay_seconds=5)
def deploy_winner(settings: DuelSettings, registered: dict) -> dict:
    """Deploy the registered ONNX model behind the Azure scoring contract; returns the endpoint."""
    api = sdk(settings.backend)
    ws = workspace(settings)
    name, version = registered["onnx_model"].rsplit(":", 1)
    model = api.Model(ws, name=name, version=int(version))
    service = api.Model.deploy(
        ws,
        settings.service_name,
        [model],
        inference_config=api.InferenceConfig(entry_script="score.py", source_directory=str(TRAINING_DIR)),
        deployment_config=_deployment_config(settings, api),
        overwrite=True,
    )
    service.wait_for_deployment(show_output=False)
    create_link_artifact(key="scoring-endpoint", link=service.scoring_uri, description="Scoring endpoint")
    return {"name": service.name, "scoring_uri": service.scoring_uri, "swagger_uri": service.swagger_uri}


@task(name="smoke-test", retries=2, retry_delay_seconds=3)
def smoke_test(
    settings: DuelSettings, refs: DataRefs, endpoint: dict, exported: dict, rows: int = 200
) -> dict:
    """Score test rows through the live service (the SDK's ``service.run``) and compare with in-process ONNX."""
    api = sdk(settings.backend)
    service = api.Webservice(workspace(settings), endpoint["name"])
    test = _test_frame(settings, refs)
    # Rows with a missing value first: the shared split puts every missing total_bedrooms in the test half.
    test = test.loc[test.isna().any(axis=1).sort_values(ascending=False, kind="stable").index].head(rows)
    records = [
        {
            c: (None if isinstance(v, float) and np.isnan(v) else v)
            for c, v in zip(FEATURE_COLUMNS, row, strict=True)
        }
        for row in test.loc[:, list(FEATURE_COLUMNS)].itertuples(index=False)
    ]
    response = service.run(json.dumps({"data": records}))
    remote = np.asarray(
        response["predictions"] if isinstance(response, dict) else response, dtype=float
    ).ravel()
    local = onnx_predict(exported["onnx_path"], test)
    diff = np.abs(remote - local)
    relative = float(np.max(diff / np.maximum(np.abs(local), 1.0)))
    # Same graph, same thread count: anything beyond float noise means the service scores differently.
    if relative > SMOKE_TOLERANCE:
        raise RuntimeError(
            f"service at {endpoint['scoring_uri']} disagrees with in-process ONNX: max relative difference "
            f"{relative:.3g} (max {float(diff.max()):.4g} dollars) beyond {SMOKE_TOLERANCE}"
        )
    return {"rows": len(test), "max_abs_diff": float(diff.max()), "max_rel_diff": relative}


@task(name="publish-report")
def publish_report(
    settings: DuelSettings,
    refs: DataRefs,
    verdict: Verdict,
    predictions: dict,
    contestants: list[Contestant],
    exported: dict,
    registered: dict,
    promotion: str,
    endpoint: dict | None,
    smoke: dict | None,
) -> str:
    """The markdown report with every figure embedded, as the Prefect artifact ``duel-report`` and
    uploaded with its figures to a run of ``<experiment>-report`` in the workspace."""
    shown, trend_table = report_figures(
        settings,
        predictions["y_true"],
        {name: values for name, values in predictions.items() if name != "y_true"},
        contestants,
    )
    markdown = render_markdown(
        verdict,
        split_rows=refs.test_rows,
        parity=exported["parity"],
        registered=registered["onnx_model"],
        endpoint=endpoint["scoring_uri"] if endpoint else None,
        smoke=smoke,
        promotion=promotion,
        figures=shown,
        trend_table=trend_table,
    )
    create_markdown_artifact(key="duel-report", markdown=markdown, description="AutoML vs HyperDrive")
    run_id = store_report(
        settings, markdown, shown, {"winner": verdict.winner.name, "model": registered["onnx_model"]}
    )
    get_run_logger().info("report and %d figures stored with run %s", len(shown), run_id)
    return markdown
