# Two entry points on a fresh machine: `make demo` (the offline duel) and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 90
export AZUREML_LOG_DEPRECATION_WARNING_ENABLED ?= False

.PHONY: setup demo test lint bench conformance azure-env clean

setup: $(VENV)/.installed

# torch is pinned to the CPU build; installing it first keeps pip from resolving a CUDA wheel.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev,dask]'
	touch $@

demo: setup
	$(PY) -m flows.comparison --quick

test: setup
	$(PY) -m pytest -q -m "not soak" --timeout=600

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: setup
	$(PY) benchmarks/onnx_inference.py
	$(PY) benchmarks/serving.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# The real SDK v1 clients in their own environment (their pins break prefect): the azure extra, read
# from pyproject.toml so the pins live in one place. The SDK steps run here from the repository root
# (`python -m backends.sdk_v1.step`), so the project itself is not installed into it.
azure-env: .venv-azure/.installed

.venv-azure/.installed: pyproject.toml
	$(PYTHON) -m venv .venv-azure
	.venv-azure/bin/python -c "import tomllib; print('\\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['azure']))" > .venv-azure/requirements.txt
	.venv-azure/bin/pip install -q -r .venv-azure/requirements.txt
	.venv-azure/bin/python -c "import azureml.core, azureml.train.hyperdrive, azureml.train.automl"
	touch $@

# The emulator's surface against the real SDK's, and every real SDK object the Azure path builds
# (tests marked azure_sdk, which drive .venv-azure and skip without it).
conformance: setup .venv-azure/.installed
	$(PY) -m pytest -q tests/conformance
