"""Project-wide fixtures: the housing file and an isolated emulator home per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tasks.housing_csv import default_cache_dir


def _find_housing() -> tuple[Path | None, str]:
    """The housing file as the loader finds it (``DUEL_DATA``, then its cache), never downloaded."""
    named = os.environ.get("DUEL_DATA")
    if named:
        return Path(named).expanduser(), "DUEL_DATA"
    cached = default_cache_dir() / "housing.csv"
    return (cached, "the loader's cache") if cached.is_file() else (None, "")


HOUSING, HOUSING_ORIGIN = _find_housing()
if HOUSING is not None:
    # Processes the tests start (flows, trials, servers) read the same file.
    os.environ["DUEL_DATA"] = str(HOUSING)

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("AZUREML_LOG_DEPRECATION_WARNING_ENABLED", "False")


@pytest.fixture(scope="session", autouse=True)
def image_build_cache(tmp_path_factory) -> Path:
    """One build cache for the session's emulator homes: an environment is resolved (on PyPI) once,
    not once per test workspace. The runs' processes inherit it."""
    from emulator.core._image_build import CACHE_VARIABLE

    folder = tmp_path_factory.mktemp("image-builds")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_VARIABLE, str(folder))
        yield folder


@pytest.fixture(scope="session")
def housing_path() -> Path:
    if HOUSING is None:
        pytest.skip(
            f"no housing.csv: set DUEL_DATA or put a copy at {default_cache_dir() / 'housing.csv'} "
            "(the loader downloads it there; the tests do not download)"
        )
    if not HOUSING.is_file():
        pytest.fail(f"{HOUSING}: housing file not found (from {HOUSING_ORIGIN})")
    return HOUSING


@pytest.fixture(scope="session")
def housing(housing_path):
    from tasks.housing_csv import load_housing

    return load_housing(housing_path)


@pytest.fixture(scope="session")
def housing_onnx(housing_path, tmp_path_factory) -> Path:
    """A small ONNX pipeline (imputer + one-hot + linear regression) in Azure AutoML's layout: one
    ``[N, 1]`` input per raw column, and ``model_onnx.json`` beside it.

    Built here rather than by the project's exporter so that serving tests stand on their own.
    """
    import numpy as np
    import pandas as pd
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    from training.onnx_layout import FLOAT_TENSOR, STRING_TENSOR, OnnxInput, OnnxLayout
    from training.schema import CATEGORICAL_COLUMN, LABEL, NUMERIC_COLUMNS

    frame = pd.read_csv(housing_path).sample(2000, random_state=0)
    features = frame[[*NUMERIC_COLUMNS, CATEGORICAL_COLUMN]]
    columns = ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median"), list(NUMERIC_COLUMNS)),
            ("category", OneHotEncoder(handle_unknown="ignore"), [CATEGORICAL_COLUMN]),
        ]
    )
    pipeline = make_pipeline(columns, LinearRegression()).fit(features, frame[LABEL].to_numpy(np.float64))
    initial = [(c, FloatTensorType([None, 1])) for c in NUMERIC_COLUMNS]
    graph = convert_sklearn(
        pipeline, initial_types=[*initial, (CATEGORICAL_COLUMN, StringTensorType([None, 1]))]
    )
    path = tmp_path_factory.mktemp("onnx") / "model.onnx"
    path.write_bytes(graph.SerializeToString())
    numeric = [OnnxInput(c, c, "floating", FLOAT_TENSOR) for c in NUMERIC_COLUMNS]
    OnnxLayout((*numeric, OnnxInput(CATEGORICAL_COLUMN, CATEGORICAL_COLUMN, "string", STRING_TENSOR))).write(
        path
    )
    return path


@pytest.fixture
def emulator_backend(tmp_path):
    """The emulator backend on a fresh workspace under ``tmp_path`` (the hook is removed afterwards)."""
    from backends import open_backend
    from emulator import hook
    from tasks.settings import DuelSettings

    try:
        yield open_backend(DuelSettings(backend="emulator", emulator_home=tmp_path / "emulator"))
    finally:
        hook.uninstall()


@pytest.fixture(scope="module")
def browser():
    """Debian's headless chromium driven by Playwright (which downloads no browser of its own)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()


def _real_workspace_missing(config: Path, python: Path) -> str | None:
    """Why the ``azure`` tests cannot reach a real workspace here, or None when they can."""
    import shutil

    if not python.exists():
        return f"no SDK v1 interpreter at {python}: run `make azure-env`"
    if not config.is_file():
        return f"no workspace config.json at {config}: set DUEL_AZURE_CONFIG to the portal's download"
    principal = ("AZUREML_SERVICE_PRINCIPAL_ID", "AZURE_CLIENT_ID")
    managed = ("IDENTITY_ENDPOINT", "MSI_ENDPOINT")
    if not any(os.environ.get(n) for n in (*principal, *managed)) and shutil.which("az") is None:
        return "no Azure credential: set a service principal's variables (docs/azure.md) or log in with `az login`"
    return None


@pytest.fixture
def azure_workspace(monkeypatch, tmp_path):
    """Settings for a real Azure ML workspace (``DUEL_AZURE_CONFIG``, a credential, ``.venv-azure``),
    with small budgets and the scoring service deleted after its smoke test; skips saying why."""
    from tasks.settings import DuelSettings

    root = Path(__file__).resolve().parents[1]
    config = Path(os.environ.get("DUEL_AZURE_CONFIG", root / "config.json"))
    python = Path(os.environ.get("DUEL_AZURE_PYTHON", root / ".venv-azure" / "bin" / "python"))
    missing = _real_workspace_missing(config, python)
    if missing:
        pytest.skip(missing)
    for name, value in {
        "DUEL_BACKEND": "azure",
        "DUEL_AZURE_CONFIG": str(config),
        "DUEL_AZURE_PYTHON": str(python),
        "DUEL_EXPERIMENT_NAME": "automl-duel-test",
        "DUEL_MODEL_NAME": "housing-price-test",
        "DUEL_SERVICE_NAME": "housing-price-test-svc",
        "DUEL_SUBSET": "4000",
        "DUEL_AUTOML_TIMEOUT_MINUTES": "15",
        "DUEL_AUTOML_ITERATIONS": "4",
        "DUEL_HYPERDRIVE_MAX_TOTAL_RUNS": "2",
        "DUEL_HYPERDRIVE_EPOCHS": "5",
        "DUEL_DEPLOY_TARGET": "aci",
        "DUEL_DELETE_SERVICE": "true",
    }.items():
        monkeypatch.setenv(name, value)
    return DuelSettings(_env_file=None)


@pytest.fixture(autouse=True)
def _import_hook_left_as_found():
    """A test that opened the emulator backend in-process (which installs the import hook with its
    own home) must not hand that home to the tests after it."""
    from emulator import hook

    installed_before = hook.installed()
    yield
    if hook.installed() and not installed_before:
        hook.uninstall()


@pytest.fixture(scope="session")
def prefect_api():
    """One temporary Prefect API for the whole session: a second harness nested inside the first
    hangs when it is torn down."""
    from prefect.testing.utilities import prefect_test_harness

    from tests.prefect_workers import drain_prefect_workers

    with prefect_test_harness(server_startup_timeout=90):
        yield
        # The harness drains the event worker without a time limit; one stuck on a dead server would
        # hold the session open for hours after the last test.
        drain_prefect_workers()
