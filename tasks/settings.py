"""One typed settings object for the whole duel.

Values come, lowest priority first, from defaults, a ``.env`` file, environment variables with
the ``DUEL_`` prefix (``DUEL_DATA``, ``DUEL_BACKEND``, ``DUEL_EMULATOR_HOME``, ...) and finally
flow parameters, which are applied with :meth:`DuelSettings.merged`.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backends.capabilities import AUTOML_TIMEOUT, BACKENDS, Capabilities, capabilities


class DeployTarget(StrEnum):
    """Where the winner's scoring service runs."""

    LOCAL = "local"
    DOCKER = "docker"
    ACI = "aci"
    MANAGED = "managed"  # azure-v2: a managed online endpoint
    NONE = "none"


def checkout() -> Path:
    """The project folder this code runs from (the one holding ``pyproject.toml``), else the current one.

    Returns:
        The folder.
    """
    here = Path(__file__).resolve()
    return next((folder for folder in here.parents if (folder / "pyproject.toml").is_file()), Path.cwd())


def _checkout_service_name() -> str:
    # Two checkouts deploying on one machine (or one Azure workspace) must not replace each other's
    # service; a short digest of the checkout's path keeps the name within the SDK's 32 characters.
    return f"housing-price-{hashlib.sha256(str(checkout()).encode()).hexdigest()[:6]}"


class DuelSettings(BaseSettings):
    """Everything a duel run needs to know that is not code."""

    model_config = SettingsConfigDict(env_prefix="DUEL_", env_file=".env", extra="ignore")

    backend: str = Field(
        default="emulator", description=f"Where the azureml SDK names come from: {', '.join(BACKENDS)}."
    )
    emulator_home: Path = Field(
        default_factory=lambda: checkout() / ".duel" / "emulator",
        description="Workspace folder root of the emulator; each checkout keeps its own by default.",
    )
    data: Path | None = Field(
        default=None, description="The housing CSV; downloaded into the cache if unset."
    )
    cache_dir: Path | None = None

    test_size: float = Field(default=0.2, gt=0.0, lt=1.0)
    split_seed: int = 42
    subset: int | None = Field(default=None, gt=0, description="Use a seeded sample of this many rows.")

    experiment_name: str = "automl-duel"
    dataset_name: str = "california-housing"
    model_name: str = "housing-price"
    promotion_margin: float = Field(
        default=0.01,
        ge=0.0,
        lt=1.0,
        description="Nightly gate: how much lower (relative) the challenger's test MAE must be than the champion's.",
    )

    automl_timeout_minutes: float | None = Field(
        default=None,
        gt=0,
        description="AutoML's budget; unset: the backend's minimum (Azure's 15 minutes, which the emulator "
        "enforces too unless its relaxation automl-timeout is asked for).",
    )
    automl_iterations: int = Field(default=30, gt=0)
    automl_max_concurrent_iterations: int = Field(default=1, gt=0)
    automl_allowed_models: list[str] | None = None

    hyperdrive_max_total_runs: int = Field(default=8, gt=0)
    hyperdrive_max_concurrent_runs: int = Field(default=2, gt=0)
    hyperdrive_max_duration_minutes: int = Field(default=30, gt=0)
    hyperdrive_epochs: int = Field(default=60, gt=0)

    deploy_target: DeployTarget = DeployTarget.LOCAL
    service_name: str = Field(
        default_factory=_checkout_service_name, description="Scoring service name, unique per checkout."
    )

    # Azure backend only: the workspace comes from config.json and is signed in to headlessly; the
    # SDK v1 steps run in azure_python's interpreter; clusters are created or attached.
    azure_config: Path | None = None
    azure_auth: str = Field(
        default="auto",
        description="auto, service-principal, workload-identity, managed-identity, cli or interactive (backends.credentials)",
    )
    azure_python: str = Field(
        default=str(Path(__file__).resolve().parents[1] / ".venv-azure" / "bin" / "python"),
        description="The command line of a Python with the SDK v1 (`make azure-env` builds .venv-azure).",
    )
    cpu_cluster: str = "cpu-cluster"
    cpu_vm_size: str = "STANDARD_DS3_V2"
    cpu_min_nodes: int = Field(default=0, ge=0)
    cpu_max_nodes: int = Field(default=4, gt=0)
    gpu_cluster: str = "gpu-cluster"
    # T4 (Turing, sm_75): the oldest GPU torch's CUDA 13 wheels run on; NCv3 (V100) retired 2025-09-30.
    gpu_vm_size: str = "STANDARD_NC4AS_T4_V3"
    gpu_min_nodes: int = Field(default=0, ge=0)
    gpu_max_nodes: int = Field(default=4, gt=0)
    cluster_idle_seconds: int = Field(default=1800, ge=0, description="Idle time before nodes scale down.")
    delete_service: bool = Field(
        default=False, description="Delete the scoring service after its smoke test."
    )
    emulator_relax: str = Field(
        default="",
        description="Emulator-only relaxations of Azure's limits, by name (emulator.relax); each run "
        "they let through says so in its properties. The quick preset asks for automl-timeout and first-iteration-grace.",
    )

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        capabilities(value)
        return value

    @model_validator(mode="after")
    def _automl_budget(self) -> DuelSettings:
        # A budget the user set and the service would refuse fails now, not at submission; an unset one
        # takes the minimum, since the user asked for no particular figure.
        least = self.capabilities.min_automl_minutes
        if self.automl_timeout_minutes is None or self.automl_timeout_minutes >= least:
            return self
        if AUTOML_TIMEOUT in self.capabilities.relaxations:
            if AUTOML_TIMEOUT in self.emulator_relax.split(","):
                return self
            hint = f", or ask for the emulator-only relaxation {AUTOML_TIMEOUT} (DUEL_EMULATOR_RELAX)"
        else:
            hint = ""
        raise ValueError(
            f"AutoML on the {self.backend} backend takes automl_timeout_minutes from {least:g} "
            f"(got {self.automl_timeout_minutes:g}), as Azure does: set DUEL_AUTOML_TIMEOUT_MINUTES{hint}"
        )

    @property
    def capabilities(self) -> Capabilities:
        """What the settings' backend can do, known without opening it."""
        return capabilities(self.backend)

    @property
    def automl_minutes(self) -> float:
        """The AutoML budget a job gets: the one set, else the backend's minimum."""
        if self.automl_timeout_minutes is not None:
            return self.automl_timeout_minutes
        return self.capabilities.min_automl_minutes

    @field_validator("data", "emulator_home", mode="before")
    @classmethod
    def _resolved(cls, value: Any, info) -> Any:
        # prefect.yaml fills these from the deploying shell; a variable unset there arrives empty.
        if isinstance(value, str) and (not value.strip() or "{{" in value):
            name = f"DUEL_{info.field_name.upper()}"
            raise ValueError(
                f"{name} is empty or unresolved ({value!r}); in a Prefect deployment this means it was not "
                f"exported when the deployment was made: export {name} and run "
                "`prefect deploy --prefect-file deployments/prefect.yaml --all` again"
            )
        return value

    @field_validator("automl_allowed_models", mode="before")
    @classmethod
    def _split_models(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    def merged(self, **overrides: Any) -> DuelSettings:
        """A copy with the flow parameters that were given (``None`` means "keep the setting")."""
        return type(self).model_validate({**self.model_dump(), **_given(overrides)})


# Small budgets that finish in a few minutes on two cores; the defaults are for a real night.
QUICK = {
    "subset": 5000,
    # 30 s: the ensemble scores as well as at 90 s (benchmarks/RESULTS.md, "Figures comments carried").
    "automl_timeout_minutes": 0.5,
    # Azure's AutoML takes 15 minutes at least: the emulator lets less through only when asked by name.
    # A busy machine may spend the 30 s before one iteration ends: the emulator lets the first finish.
    "emulator_relax": "automl-timeout,first-iteration-grace",
    "automl_iterations": 12,
    "hyperdrive_max_total_runs": 4,
    # One trial per core: each trial is pinned to its core and sizes its threads to it.
    "hyperdrive_max_concurrent_runs": 2,
    "hyperdrive_epochs": 25,
}


def resolve_settings(quick: bool = False, **parameters: Any) -> DuelSettings:
    """Settings from the environment and .env, then the quick preset, then explicit flow parameters.

    Args:
        quick: apply the quick preset.
        **parameters: flow parameters; None values are ignored.

    Returns:
        The settings.
    """
    # One construction, so that the settings are checked whole: an AutoML budget the environment sets
    # may be valid only for the backend a parameter names.
    return DuelSettings(**_given({**(QUICK if quick else {}), **parameters}))


def _given(overrides: dict[str, Any]) -> dict[str, Any]:
    """The overrides that were given (``None`` means "keep the setting"), all of them known settings."""
    given = {key: value for key, value in overrides.items() if value is not None}
    unknown = sorted(set(given) - set(DuelSettings.model_fields))
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
    return given
