"""``Model``: the workspace's model registry. Each version is a copy of the files in the file store,
numbered atomically by the store, so concurrent registrations of one name get distinct versions."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path, PurePosixPath

from ..exceptions import (
    ModelNotFoundException,
    ModelPathNotFoundException,
    UserErrorException,
    WebserviceException,
)
from . import _names
from ._filters import matches
from .inference_config import InferenceConfig
from .model_package import ModelPackage
from .model_package import package as _package

__all__ = ["InferenceConfig", "Model", "ModelPackage"]


class _Framework:
    CUSTOM = "Custom"
    MULTI = "Multi"
    ONNX = "Onnx"
    PYTORCH = "PyTorch"
    SCIKITLEARN = "ScikitLearn"
    TENSORFLOW = "TensorFlow"


class Model:
    """A registered model version: ``Model(ws, name)`` is the latest, ``Model(ws, name, version=2)`` that one."""

    Framework = _Framework

    def __init__(
        self,
        workspace,
        name=None,
        id=None,
        tags=None,
        properties=None,
        version=None,
        run_id=None,
        model_framework=None,
        expand=True,
        **kwargs,
    ):
        if name is None and id is None and run_id is None:
            raise UserErrorException("Model: provide a name, an id or a run_id")
        if id is not None:
            if ":" not in id:
                raise UserErrorException(f"Invalid model id {id!r}: expected 'name:version'")
            name, version = id.rsplit(":", 1)
        records = Model._records(workspace, name, tags, properties, run_id, model_framework)
        if version is not None:
            records = [r for r in records if r["version"] == int(version)]
        if not records:
            described = f"name {name}" + (f" and version {version}" if version is not None else "")
            raise ModelNotFoundException(
                f"ModelNotFound: Model with {described} not found in provided workspace"
            )
        self._load(workspace, records[0])

    def _load(self, workspace, record: dict) -> None:
        self.workspace = workspace
        self.name = record["name"]
        self.version = record["version"]
        self.id = f"{self.name}:{self.version}"
        self.tags = dict(record.get("tags") or {})
        self.properties = dict(record.get("properties") or {})
        self.description = record.get("description")
        self.created_time = record["created"]
        self.framework = record.get("framework") or _Framework.CUSTOM
        self.framework_version = record.get("framework_version")
        self.run_id = record.get("run_id")
        self.experiment_name = record.get("experiment_name")
        self.datasets = record.get("datasets") or {}
        self._path_name = record["path"]
        self.url = self._local_path.as_uri()

    @classmethod
    def _from_record(cls, workspace, record: dict) -> Model:
        model = cls.__new__(cls)
        model._load(workspace, record)
        return model

    @property
    def _local_path(self) -> Path:
        """The registered file or folder in the workspace's file store (read it, do not change it)."""
        return self.workspace._store.model_path(self.name, self.version) / self._path_name

    @staticmethod
    def _records(
        workspace, name=None, tags=None, properties=None, run_id=None, model_framework=None
    ) -> list[dict]:
        records = sorted(workspace._store.list_models(name), key=lambda r: (r["name"], -r["version"]))
        return [
            r
            for r in records
            if (run_id is None or r.get("run_id") == run_id)
            and (model_framework is None or r.get("framework") == model_framework)
            and matches(r.get("tags") or {}, tags)
            and matches(r.get("properties") or {}, properties)
        ]

    # -- registering
    @staticmethod
    def register(
        workspace,
        model_path,
        model_name,
        tags=None,
        properties=None,
        description=None,
        datasets=None,
        model_framework=None,
        model_framework_version=None,
        child_paths=None,
        sample_input_dataset=None,
        sample_output_dataset=None,
        resource_configuration=None,
    ):
        """Register the local file or folder ``model_path`` as the next version of ``model_name``."""
        source = Path(model_path)
        if not source.exists():
            raise WebserviceException(f"Error, provided model path {model_path} cannot be found")
        with workspace._store.staging() as staging:
            staged = staging / source.name
            if source.is_dir():
                shutil.copytree(source, staged, ignore=Model._only(source, child_paths))
            else:
                shutil.copy2(source, staged)
            return Model._register_staged(
                workspace,
                staged,
                model_name,
                tags=tags,
                properties=properties,
                description=description,
                datasets=datasets,
                model_framework=model_framework,
                model_framework_version=model_framework_version,
            )

    @staticmethod
    def _only(root: Path, child_paths):
        if not child_paths:
            return None
        keep = {(root / p).resolve() for p in child_paths}

        def ignore(folder, names):
            return {
                n for n in names if (Path(folder) / n).is_file() and (Path(folder) / n).resolve() not in keep
            }

        return ignore

    @staticmethod
    def _register_staged(workspace, staged: Path, model_name, run=None, **fields) -> Model:
        _names.model_name(model_name)
        if fields.get("datasets") is not None:
            fields["datasets"] = {purpose: getattr(ds, "id", str(ds)) for purpose, ds in fields["datasets"]}

        def stage(version: int) -> None:
            target = workspace._store.model_path(model_name, version)
            if target.exists():
                shutil.rmtree(target)  # left by a registration whose transaction rolled back
            target.mkdir(parents=True)
            os.rename(staged, target / staged.name)

        record = workspace._store.create_model_version(
            model_name,
            {
                "path": staged.name,
                "description": fields.get("description"),
                "tags": fields.get("tags") or {},
                "properties": fields.get("properties") or {},
                "framework": fields.get("model_framework"),
                "framework_version": fields.get("model_framework_version"),
                "datasets": fields.get("datasets") or {},
                "run_id": run.id if run is not None else None,
                "experiment_name": run.experiment.name if run is not None else None,
            },
            stage,
        )
        return Model._from_record(workspace, record)

    @staticmethod
    def _register_from_run(run, model_name, model_path, **fields) -> Model:
        """Register the artifact ``model_path`` (a file or a folder prefix) of ``run``."""
        prefix = model_path.rstrip("/")
        names = [n for n in run.get_file_names() if n == prefix or n.startswith(prefix + "/")]
        if not names:
            raise ModelPathNotFoundException(
                f"Could not locate the provided model_path {model_path} in the set of files uploaded to the run: "
                f"{run.get_file_names()}"
            )
        workspace = run.experiment.workspace
        with workspace._store.staging() as staging:
            base = PurePosixPath(prefix).parent
            for name in names:
                run.download_file(name, staging / PurePosixPath(name).relative_to(base))
            staged = staging / PurePosixPath(prefix).name
            return Model._register_staged(workspace, staged, model_name, run=run, **fields)

    # -- finding
    @staticmethod
    def list(
        workspace,
        name=None,
        tags=None,
        properties=None,
        run_id=None,
        latest=False,
        dataset_id=None,
        expand=True,
        page_count=255,
        model_framework=None,
    ):
        """Model versions, newest first per name; ``latest`` keeps only each name's newest version."""
        records = Model._records(workspace, name, tags, properties, run_id, model_framework)
        if dataset_id is not None:
            records = [r for r in records if dataset_id in (r.get("datasets") or {}).values()]
        if latest:
            seen = set()
            records = [r for r in records if not (r["name"] in seen or seen.add(r["name"]))]
        return [Model._from_record(workspace, r) for r in records]

    @staticmethod
    def get_model_path(model_name, version=None, _workspace=None):
        """Where the model's files are: in the workspace when given, else under ``AZUREML_MODEL_DIR``
        (inside a scoring service), ``./azureml-models/<name>/<version>`` or ``./<name>``."""
        if _workspace is not None:
            return str(Model(_workspace, model_name, version=version)._local_path)
        candidates = []
        model_dir = os.environ.get("AZUREML_MODEL_DIR")
        if model_dir:
            candidates += [Path(model_dir) / model_name / str(version or ""), Path(model_dir)]
        cache = Path("azureml-models") / model_name
        if cache.is_dir():
            versions = sorted((int(p.name) for p in cache.iterdir() if p.name.isdigit()), reverse=True)
            chosen = version if version is not None else (versions[0] if versions else None)
            if chosen is not None:
                candidates.append(cache / str(chosen))
        candidates.append(Path(model_name))
        for candidate in candidates:
            if candidate.exists():
                entries = list(candidate.iterdir()) if candidate.is_dir() else []
                return str(entries[0] if len(entries) == 1 and candidate != Path(model_name) else candidate)
        raise ModelPathNotFoundException(
            f"Model not found in cache or in root at ./{model_name}. For more info, set logging level to DEBUG."
        )

    # -- using and changing a version
    def download(self, target_dir=".", exist_ok=False, exists_ok=None):
        """Copy the model's file or folder into ``target_dir`` and return its path."""
        exist_ok = exists_ok if exists_ok is not None else exist_ok
        target = Path(target_dir) / self._path_name
        if target.exists() and not exist_ok:
            raise WebserviceException(f"File already exists: {target}; pass exist_ok=True to overwrite it")
        Path(target_dir).mkdir(parents=True, exist_ok=True)
        if self._local_path.is_dir():
            shutil.copytree(self._local_path, target, dirs_exist_ok=True)
        else:
            shutil.copy2(self._local_path, target)
        return str(target)

    def _update(self, **fields) -> None:
        self.workspace._store.update_model(self.name, self.version, fields)

    def add_tags(self, tags):
        self.tags.update(tags)
        self._update(tags=self.tags)

    def remove_tags(self, tags):
        for key in [tags] if isinstance(tags, str) else tags:
            self.tags.pop(key, None)
        self._update(tags=self.tags)

    def add_properties(self, properties):
        changed = [k for k, v in properties.items() if k in self.properties and self.properties[k] != v]
        if changed:
            raise WebserviceException(
                f"Model properties are immutable: {', '.join(changed)} already set on {self.id}"
            )
        self.properties.update(properties)
        self._update(properties=self.properties)

    def update(
        self,
        tags=None,
        description=None,
        sample_input_dataset=None,
        sample_output_dataset=None,
        resource_configuration=None,
    ):
        if tags is not None:
            self.tags = dict(tags)
            self._update(tags=self.tags)
        if description is not None:
            self.description = description
            self._update(description=description)

    def delete(self):
        """Remove this version and its files."""
        self.workspace._store.delete_model(self.name, self.version)
        shutil.rmtree(self.workspace._store.model_path(self.name, self.version), ignore_errors=True)

    def serialize(self):
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "tags": self.tags,
            "properties": self.properties,
            "description": self.description,
            "createdTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created_time)),
            "framework": self.framework,
            "frameworkVersion": self.framework_version,
            "runId": self.run_id,
            "url": self.url,
        }

    @staticmethod
    def deserialize(workspace, model_payload):
        return Model(workspace, id=model_payload["id"])

    @staticmethod
    def deploy(
        workspace,
        name,
        models,
        inference_config=None,
        deployment_config=None,
        deployment_target=None,
        overwrite=False,
        show_output=False,
    ):
        """Deploy ``models`` as a web service (implemented in :mod:`emulator.core.webservice`)."""
        from .webservice._deployment import _deploy

        return _deploy(
            workspace,
            name,
            models,
            inference_config=inference_config,
            deployment_config=deployment_config,
            deployment_target=deployment_target,
            overwrite=overwrite,
            show_output=show_output,
        )

    @staticmethod
    def package(
        workspace, models, inference_config=None, generate_dockerfile=False, image_name=None, image_label=None
    ):
        """Package ``models`` with the entry script as a Docker image, or its build context
        (implemented in :mod:`emulator.core.model_package`)."""
        return _package(workspace, models, inference_config, generate_dockerfile, image_name, image_label)

    def __eq__(self, other):
        return isinstance(other, Model) and other.id == self.id and other.workspace == self.workspace

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        return f"Model(workspace={self.workspace!r}, name={self.name}, id={self.id}, version={self.version}, tags={self.tags}, properties={self.properties})"
