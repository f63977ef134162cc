"""Ship the winner: ONNX export behind the parity gate, registration, deployment, smoke test.

Thin Prefect tasks over plain functions (``onnx_export``, ``tasks.register``, the backend's steps);
they pass small frozen values — paths, model versions, endpoints — never live objects.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from prefect import get_run_logger, task
from prefect.artifacts import create_link_artifact

from backends.messages import Deployment, Endpoint, RegisteredModel
from tasks.compare import TestScore
from tasks.contestants import Contestant, ShippedOnnx, load_model
from tasks.opened import opened_backend
from tasks.preflight import transient_only
from tasks.registered_split import DataRefs, read_split
from tasks.settings import DuelSettings
from training import SOURCE_DIRECTORY
from training.onnx_layout import OnnxLayout
from training.onnx_layout import predict_file as onnx_predict
from training.schema import FEATURE_COLUMNS

SMOKE_TOLERANCE = 1e-4


@dataclass(frozen=True)
class ExportedModel:
    """The winner's ONNX file (its ``model_onnx.json`` beside it), the parity figures that let it
    through, and its source."""

    onnx_path: str
    parity: dict[str, Any]
    algorithm: str
    run_id: str


@dataclass(frozen=True)
class Registration:
    """The registered ONNX and native versions of the winner."""

    onnx_model: RegisteredModel
    native_model: RegisteredModel


@dataclass(frozen=True)
class SmokeTest:
    """How closely the live service reproduced in-process ONNX on test rows."""

    rows: int
    max_abs_diff: float
    max_rel_diff: float

    def as_dict(self) -> dict:
        return asdict(self)


# The parity figures of a graph that was itself judged: AutoML's ONNX copy ships as scored.
JUDGED_AS_SHIPPED = {"passed": True, "judged_as_shipped": True}


@task(name="export-onnx")
def export_winner(
    settings: DuelSettings, refs: DataRefs, winner: Contestant, result: TestScore
) -> ExportedModel:
    """The winner as one ONNX graph: AutoML's own copy as judged, or the MLP's export, refused unless
    it predicts what the native MLP does.

    Args:
        settings: the run's settings.
        refs: the registered train and test splits.
        winner: the winning contestant.
        result: its test score.

    Returns:
        The ONNX file, the parity figures and its source.
    """
    # The ONNX stack (onnx, skl2onnx, onnxruntime) loads here, not when the flow starts.
    import onnx

    from onnx_export import check_parity, layout_of, stamp, to_onnx

    logger = get_run_logger()
    backend = opened_backend(settings)
    loaded = load_model(backend, winner)
    metadata = {
        "training_run_id": loaded.run_id,
        "dataset_name": refs.train.name,
        "dataset_version": str(refs.train.version),
        "split_fingerprint": refs.split_fingerprint,
    }
    if isinstance(loaded.model, ShippedOnnx):
        layout = loaded.model.layout
        onnx_model = stamp(
            onnx.load_model_from_string(loaded.model.graph), loaded.algorithm, metadata, layout
        )
        parity = JUDGED_AS_SHIPPED
        logger.info("%s ships its own ONNX copy, the graph it was judged on", loaded.algorithm)
    else:
        onnx_model = to_onnx(loaded.model, metadata={"source_algorithm": loaded.algorithm, **metadata})
        layout = layout_of(onnx_model)
        test = read_split(backend, refs.test)
        report = check_parity(loaded.model, onnx_model, test.loc[:, list(FEATURE_COLUMNS)])
        parity = report.as_dict()
        logger.info("ONNX parity for %s: max abs error %.4g dollars", loaded.algorithm, report.max_abs_error)
    path = Path(tempfile.mkdtemp(prefix="duel-onnx-")) / "model.onnx"
    onnx.save_model(onnx_model, path)
    layout.write(path)
    return ExportedModel(str(path), parity, loaded.algorithm, loaded.run_id)


@task(name="register-model")
def register_winner(
    settings: DuelSettings,
    refs: DataRefs,
    winner: Contestant,
    result: TestScore,
    exported: ExportedModel,
) -> Registration:
    """Register the ONNX and native models with lineage; crowning a champion is the nightly gate's job.

    Args:
        settings: the run's settings.
        refs: the registered train and test splits.
        winner: the winning contestant.
        result: its test score.
        exported: its ONNX file and parity figures.

    Returns:
        The registered ONNX and native versions.
    """
    import onnx

    from tasks.register import register_versions

    backend = opened_backend(settings)
    loaded = load_model(backend, winner)
    onnx_model, native_model = register_versions(
        backend,
        loaded.native_path or loaded.model,
        onnx.load_model(exported.onnx_path),
        layout=OnnxLayout.read(exported.onnx_path),
        name=settings.model_name,
        metrics={"test_mae": result.mae, "test_rmse": result.rmse, "test_r2": result.r2},
        parity=exported.parity,
        dataset_name=refs.train.name,
        dataset_version=refs.train.version,
        run_id=exported.run_id,
        split_fingerprint=refs.split_fingerprint,
    )
    return Registration(onnx_model, native_model)


def deployment(settings: DuelSettings, model: RegisteredModel) -> Deployment:
    """The registered ONNX model behind ``training/score.py`` on the settings' deploy target.

    Args:
        settings: the run's settings.
        model: the registered ONNX version.

    Returns:
        The deployment request.
    """
    return Deployment(
        service_name=settings.service_name,
        models=(model.ref,),
        entry_script="score.py",
        source_directory=str(SOURCE_DIRECTORY),
        target=settings.deploy_target.value,
    )


@task(name="deploy-service", retries=2, retry_delay_seconds=5, retry_condition_fn=transient_only)
def deploy_winner(settings: DuelSettings, registered: Registration) -> Endpoint:
    """Deploy the registered ONNX model behind the Azure scoring contract; returns the endpoint.

    Args:
        settings: the run's settings.
        registered: the winner's registered versions.
    """
    endpoint = opened_backend(settings).deploy(deployment(settings, registered.onnx_model))
    create_link_artifact(key="scoring-endpoint", link=endpoint.scoring_uri, description="Scoring endpoint")
    return endpoint


@task(name="smoke-test", retries=2, retry_delay_seconds=3, retry_condition_fn=transient_only)
def smoke_test(
    settings: DuelSettings, refs: DataRefs, endpoint: Endpoint, exported: ExportedModel, rows: int = 200
) -> SmokeTest:
    """Score test rows through the live service (the SDK's ``service.run``) and compare with in-process ONNX.

    Args:
        settings: the run's settings.
        refs: the registered train and test splits.
        endpoint: the deployed service.
        exported: the ONNX file it serves.
        rows: how many test rows to score.

    Returns:
        How closely the service reproduced in-process ONNX.
    """
    backend = opened_backend(settings)
    test = read_split(backend, refs.test)
    # Rows with a missing value first: the shared split puts every missing total_bedrooms in the test half.
    test = test.loc[test.isna().any(axis=1).sort_values(ascending=False, kind="stable").index].head(rows)
    records = [
        {
            c: (None if isinstance(v, float) and np.isnan(v) else v)
            for c, v in zip(FEATURE_COLUMNS, row, strict=True)
        }
        for row in test.loc[:, list(FEATURE_COLUMNS)].itertuples(index=False)
    ]
    response = backend.score(endpoint, json.dumps({"data": records}))
    remote = np.asarray(
        response["predictions"] if isinstance(response, dict) else response, dtype=float
    ).ravel()
    local = onnx_predict(exported.onnx_path, test)
    diff = np.abs(remote - local)
    relative = float(np.max(diff / np.maximum(np.abs(local), 1.0)))
    # Same graph, same thread count: anything beyond float noise means the service scores differently.
    if relative > SMOKE_TOLERANCE:
        raise RuntimeError(
            f"service at {endpoint.scoring_uri} disagrees with in-process ONNX: max relative difference "
            f"{relative:.3g} (max {float(diff.max()):.4g} dollars) beyond {SMOKE_TOLERANCE}"
        )
    return SmokeTest(len(test), float(diff.max()), relative)


@task(name="delete-service")
def delete_service(settings: DuelSettings, endpoint: Endpoint) -> None:
    """Remove the smoke-tested service (``DUEL_DELETE_SERVICE``): an ACI container group bills while it runs.

    Args:
        settings: the run's settings.
        endpoint: the service.
    """
    opened_backend(settings).delete_service(endpoint)
    get_run_logger().info("deleted service %s after its smoke test", endpoint.name)
