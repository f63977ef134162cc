"""Copies of a service's models and source into its folder, laid out as Azure mounts them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ..inference_config import InferenceConfig


def _stage_models(folder: Path, models) -> dict[str, Any]:
    """Download each model to ``azureml-models/<name>/<version>/``; ``AZUREML_MODEL_DIR`` as Azure sets it."""
    root = folder / "azureml-models"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    staged = []
    for model in models or []:
        target = root / model.name / str(model.version)
        target.mkdir(parents=True)
        model.download(target_dir=str(target), exist_ok=True)
        staged.append({"name": model.name, "version": model.version, "id": f"{model.name}:{model.version}"})
    # one model: its version folder; several: the root, where each sits under <name>/<version>
    model_dir = (
        f"azureml-models/{staged[0]['name']}/{staged[0]['version']}" if len(staged) == 1 else "azureml-models"
    )
    return {"models": staged, "modelDir": model_dir}


def _stage_source(folder: Path, inference_config: InferenceConfig) -> dict[str, Any]:
    """Copy the source directory (or the lone entry script) to ``app/``, so later edits do not leak in."""
    app = folder / "app"
    shutil.rmtree(app, ignore_errors=True)
    if inference_config.source_directory:
        shutil.copytree(
            inference_config.source_directory,
            app,
            ignore=shutil.ignore_patterns("__pycache__", ".git", "*.pyc"),
        )
        entry = Path(inference_config.entry_script)
    else:
        app.mkdir()
        entry = Path(Path(inference_config.entry_script).name)
        shutil.copy(inference_config.entry_script, app / entry)
    return {"entryScript": f"app/{entry.as_posix()}", "inferenceConfig": inference_config._to_dict()}


def _restage(folder: Path, fields: dict[str, Any], models, inference_config) -> None:
    if models is not None:
        fields.update(_stage_models(folder, models))
    if inference_config is not None:
        inference_config.validate_configuration()
        fields.update(_stage_source(folder, inference_config))
