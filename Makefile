# Two entry points on a fresh machine: `make demo` (the offline duel) and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 90
export AZUREML_LOG_DEPRECATION_WARNING_ENABLED ?= False

.PHONY: setup demo test lint bench conformance azure-env infsrv-env clean

STUDIO_VENDOR := emulator/studio/static/vendor
CHART_JS_VERSION := 4.5.1
CHART_JS_SHA256 := f540d98468457ac7a0aabb32006dfb066297e096c5ea063a5d80aa973d1c337a

setup: $(VENV)/.installed $(STUDIO_VENDOR)/chart.umd.min.js

# torch is pinned to the CPU build; installing it first keeps pip from resolving a CUDA wheel.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev,dask]'
	touch $@

# The studio's chart library comes from the npm registry at build time (checked against a pinned
# hash), so the page works offline and the repository holds no minified blob.
$(STUDIO_VENDOR)/chart.umd.min.js:
	@if ! command -v npm >/dev/null; then \
		echo "setup: npm not found, so the studio's charts stay off; install Node.js and run make setup again" >&2; \
	else \
		set -e; rm -rf $(STUDIO_VENDOR).part; mkdir -p $(STUDIO_VENDOR).part $(STUDIO_VENDOR); \
		(cd $(STUDIO_VENDOR).part && npm pack --silent chart.js@$(CHART_JS_VERSION) >/dev/null); \
		echo "$(CHART_JS_SHA256)  $(STUDIO_VENDOR).part/chart.js-$(CHART_JS_VERSION).tgz" | sha256sum -c --quiet -; \
		tar -xzf $(STUDIO_VENDOR).part/chart.js-$(CHART_JS_VERSION).tgz -C $(STUDIO_VENDOR).part \
			package/dist/chart.umd.min.js package/LICENSE.md; \
		mv $(STUDIO_VENDOR).part/package/LICENSE.md $(STUDIO_VENDOR)/chart.js-LICENSE.md; \
		mv $(STUDIO_VENDOR).part/package/dist/chart.umd.min.js $@; \
		rm -rf $(STUDIO_VENDOR).part; \
		echo "setup: studio chart library chart.js $(CHART_JS_VERSION) installed in $(STUDIO_VENDOR)"; \
	fi

demo: setup
	$(PY) -m flows.cli run --quick

# Two workers, whole modules each (their module fixtures are built once): many tests wait on servers
# and child processes, so two cores finish the suite in about half the time.
test: setup
	$(PY) -m pytest -q -m "not soak" --timeout=600 -n 2 --dist loadfile

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

bench: setup
	$(PY) benchmarks/onnx_inference.py
	$(PY) benchmarks/serving.py

clean:
	rm -rf $(VENV) .venv-infsrv .pytest_cache .ruff_cache $(STUDIO_VENDOR)

# The real SDK v1 clients in their own environment (their pins break prefect). The SDK steps run here
# from the repository root (`python -m backends.sdk_v1.step`), so the project itself is not installed into it.
azure-env: .venv-azure/.installed

# Azure's own scoring server (azmlinfsrv) in its own environment: its flask/pydantic/opentelemetry pins
# clash with prefect's. The serving conformance test runs it beside the emulator's server.
infsrv-env: .venv-infsrv/.installed

# .venv-EXTRA holds one extra of pyproject.toml, read from there so the pins live in one place, and is
# checked by importing what it is for.
IMPORT_CHECK_azure := import azureml.core, azureml.train.hyperdrive, azureml.train.automl
IMPORT_CHECK_infsrv := import azureml_inference_server_http, onnxruntime

.venv-%/.installed: pyproject.toml
	$(PYTHON) -m venv .venv-$*
	.venv-$*/bin/python -c "import tomllib; print('\\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['$*']))" > .venv-$*/requirements.txt
	.venv-$*/bin/pip install -q -r .venv-$*/requirements.txt
	.venv-$*/bin/python -c "$(IMPORT_CHECK_$*)"
	touch $@

# The emulator's surface against the real SDK's, every real SDK object the Azure path builds (tests
# marked azure_sdk, which drive .venv-azure and skip without it), and the emulator's scoring server
# against Azure's (which skips without .venv-infsrv).
conformance: setup .venv-azure/.installed .venv-infsrv/.installed
	$(PY) -m pytest -q tests/conformance
