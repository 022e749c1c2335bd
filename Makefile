# The project's gates in one place. `make run` and `make test` are the two commands a
# newcomer needs; both install what they need first.
PYTHON ?= python3.13
VENV := .venv
BIN := $(VENV)/bin
SAM_VENV := .venv-sam
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck template browser unit integration e2e bench trials ingest-10k clean

$(STAMP): pyproject.toml layers/core/requirements.txt layers/core/requirements-nodeps.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps --requirement layers/core/requirements-nodeps.txt
	# clabe's wheel ships its own test suite as a top-level `tests` package, which would
	# shadow this repository's `tests` (a namespace package) in every import.
	$(BIN)/python -c 'import shutil, sysconfig; shutil.rmtree(sysconfig.get_paths()["purelib"] + "/tests", ignore_errors=True)'
	touch $(STAMP)

install: $(STAMP)

# The sandbox's table, partner and secrets are kept in .local/ across restarts.
# `make run PORT=3001 DYNAMODB_PORT=8002` for other ports; `make run FRESH=1` starts anew.
PORT ?= 3000
DYNAMODB_PORT ?= 8001
run: install  ## start the API locally on an embedded DynamoDB and print sandbox credentials
	$(BIN)/localapi serve --port $(PORT) --dynamodb-port $(DYNAMODB_PORT) \
		--data-file .local/table.json $(if $(FRESH),--fresh)

$(SAM_VENV)/bin/sam:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli

# The import contracts ([tool.importlinter] in pyproject.toml): the layer's layering, the
# handlers' imports and the SDK's layers. A broken contract names each offending import.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=local:. $(BIN)/lint-imports --no-logo

typecheck: install
	$(BIN)/mypy layers/core/python/core layers/core/slim_botocore.py sdk/partner_sdk local/localapi local/import_contracts.py ops/operator_cli bench/bench_suite

# SAM is kept in its own virtualenv: its pins must not decide the runtime's.
template: install $(SAM_VENV)/bin/sam
	$(BIN)/cfn-lint template.yaml
	$(BIN)/cfn-lint template.yaml --parameters SnapStart=on
	$(BIN)/localapi deploy-digest >/dev/null
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam validate --lint --region us-east-1
	PYTHON=$(CURDIR)/$(BIN)/python SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam build --build-dir .aws-sam/build --cached --cache-dir .aws-sam/cache

# Headless Chromium and its driver for the browser test (Debian's packages).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

test: lint typecheck template browser  ## everything CI runs
	$(BIN)/pytest -n 2 --dist loadfile

unit: install
	$(BIN)/pytest tests/unit

integration: install
	$(BIN)/pytest tests/integration

e2e: install browser
	$(BIN)/pytest tests/e2e

bench: install  ## figures and ratios, measured side by side (never asserted in tests)
	$(BIN)/bench

# The issue-sized concurrency trials: 100 one-key trials and 100 races of 50 requests on
# every create endpoint (~20 min of CPU with moto; CI runs 10 and 5 of each).
trials: install
	CONCURRENCY_TRIALS=100 CONCURRENCY_RACE_TRIALS=100 $(BIN)/pytest -s tests/integration/test_concurrency_trials.py
	LEDGER_TRIAL_TRANSACTIONS=1000 $(BIN)/pytest -s tests/integration/test_ledger_invariant_trial.py

# The bulk-ingestion acceptance at full size: 10,000 rows killed halfway, rerun, run again
# (~10 min; CI runs the same test with 1,000 rows).
ingest-10k: install
	INGEST_E2E_ROWS=10000 $(BIN)/pytest -s tests/e2e/test_ingest_e2e.py

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
