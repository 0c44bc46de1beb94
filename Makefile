# bondline: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint demo token bench faults schemas install clean-var

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## start broker + intake :8001, repair :8002, dispatch :8003 (Ctrl-C stops)
	$(PY) deploy/local/run.py

test: $(STAMP)  ## the whole suite (unit, integration, contract, end-to-end)
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)  ## static checks: ruff (services, shared, tests, deploy) and mypy (services, shared)
	$(PY) -m ruff check services shared tests deploy
	$(PY) -m mypy

demo: $(STAMP)  ## drive realistic units through the flow (needs `make run` up)
	$(PY) deploy/local/demo.py

token: $(STAMP)  ## make token ROLE=<role> [PARTNER=<owner id>]
	@$(PY) -m services.kit.token --role "$(ROLE)" $(if $(PARTNER),--partner "$(PARTNER)")

bench: $(STAMP)  ## benchmarks; writes var/bench/report.json and report.md
	$(PY) -m tests.bench

faults: $(STAMP)  ## units through each fault; writes var/faults/report.md (FAULTS_ARGS="--units 100 --only poison")
	$(PY) -m tests.faults $(FAULTS_ARGS)

schemas: $(STAMP)  ## regenerate the committed JSON Schemas after a compatible change
	$(PY) -m shared.contract.schema_tools write && $(PY) -m shared.contract.asyncapi write
