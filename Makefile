# bondline: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# Installs come from the lock files in requirements/ (exact versions, hashes checked), then the project itself
# with --no-deps: `make run` needs runtime + local (the embedded broker), everything else the test set.
STAMP     := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
# checkov (tests/unit/test_checkov.py) has a large dependency set of its own: a separate venv, its own lock file.
CHECKOV_VENV  := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
UV_COMPILE = $(PY) -m uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet

.PHONY: run test lint demo token bench faults schemas install lock clean-var

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml requirements/test.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements/test.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP) $(RUN_STAMP)

# test.txt contains local.txt (same pins), so a test install serves `make run` too.
$(RUN_STAMP): pyproject.toml requirements/local.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements/local.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(RUN_STAMP)

$(CHECKOV_STAMP): requirements/checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements/checkov.txt
	touch $(CHECKOV_STAMP)

install: $(STAMP) $(CHECKOV_STAMP)

lock: | $(PY)  ## re-resolve requirements/*.txt from pyproject.toml's ranges (UPGRADE=1: newest allowed versions)
	$(PY) -m pip install --quiet "uv>=0.5"
	$(UV_COMPILE) --extra test $(if $(UPGRADE),--upgrade) -o requirements/test.txt
	$(UV_COMPILE) -c requirements/test.txt -o requirements/runtime.txt
	$(UV_COMPILE) -c requirements/test.txt --extra local -o requirements/local.txt
	$(PY) -m uv pip compile requirements/checkov.in --universal --python-version 3.11 --generate-hashes --quiet \
		$(if $(UPGRADE),--upgrade) -o requirements/checkov.txt

run: $(RUN_STAMP)  ## start broker + intake :8001, repair :8002, dispatch :8003, partners :8004 (Ctrl-C stops)
	$(PY) deploy/local/run.py

test: $(STAMP) $(CHECKOV_STAMP)  ## the whole suite (unit, integration, contract, end-to-end)
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)  ## static checks: ruff (services, shared, tests, deploy) and mypy (services, shared)
	$(PY) -m ruff check services shared tests deploy
	$(PY) -m mypy

demo: $(RUN_STAMP)  ## drive realistic units through the flow (needs `make run` up)
	$(PY) deploy/local/demo.py

token: $(RUN_STAMP)  ## make token ROLE=<role> [PARTNER=<owner id>]
	@$(PY) -m services.kit.token --role "$(ROLE)" $(if $(PARTNER),--partner "$(PARTNER)")

bench: $(STAMP)  ## benchmarks; writes var/bench/report.json and report.md
	$(PY) -m tests.bench

faults: $(STAMP)  ## units through each fault; writes var/faults/report.md (FAULTS_ARGS="--units 100 --only poison")
	$(PY) -m tests.faults $(FAULTS_ARGS)

schemas: $(STAMP)  ## regenerate the committed JSON Schemas after a compatible change
	$(PY) -m shared.contract.schema_tools write && $(PY) -m shared.contract.asyncapi write
