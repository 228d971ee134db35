# Set-up and checks (CONTRIBUTING.md). `make demo` and `make test` work on a fresh machine with Python 3.11+:
# they install uv into .tools/, build the environments from uv.lock, and run.

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PREFECT_ENV := .venv-prefect
AIRFLOW_ENV := .venv-airflow
export PREFECT_SERVER_ANALYTICS_ENABLED := false
# The demo starts an ephemeral Prefect server; on a busy 2-core machine it needs more than 20 s.
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120
export UV_PYTHON_DOWNLOADS := never

.PHONY: demo test lint typecheck test-prefect test-airflow test-lowest test-prefect-newest test-airflow-oldest locks bench envs clean

demo: $(PREFECT_ENV)
	$(PREFECT_ENV)/bin/scouter-flows demo --dir .demo

test: lint typecheck test-prefect test-airflow test-lowest test-prefect-newest test-airflow-oldest

envs: $(PREFECT_ENV) $(AIRFLOW_ENV)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# One lock resolves both orchestrators together (a user may install both extras); each test
# environment installs one of them, so neither side leans on the other's dependencies.
$(PREFECT_ENV): uv.lock pyproject.toml | $(UV)
	UV_PROJECT_ENVIRONMENT=$@ $(UV) sync --locked --extra prefect --extra dask --extra dev
	touch $@

$(AIRFLOW_ENV): uv.lock pyproject.toml | $(UV)
	UV_PROJECT_ENVIRONMENT=$@ $(UV) sync --locked --extra airflow --extra dev
	touch $@

lint: $(PREFECT_ENV)
	$(PREFECT_ENV)/bin/ruff check .
	$(PREFECT_ENV)/bin/ruff format --check .
	$(PREFECT_ENV)/bin/lint-imports

# Each half of the adapters is checked where its orchestrator is installed.
typecheck: envs
	$(PREFECT_ENV)/bin/mypy --exclude 'scouter_flows/operators/' scouter_flows
	$(AIRFLOW_ENV)/bin/mypy --exclude 'scouter_flows/flows/' scouter_flows

# Docstring examples run too, each half where its orchestrator is installed (old module paths
# kept for compatibility and the migration scripts hold no examples).
DOCTESTS := -o testpaths= --doctest-modules scouter_flows --ignore=scouter_flows/store/migrations \
	--ignore=scouter_flows/alerts/outbox.py --ignore=scouter_flows/evaluate/operators.py \
	--ignore=scouter_flows/evaluate/tasks.py

test-prefect: $(PREFECT_ENV)
	$(PREFECT_ENV)/bin/python -m pytest --ignore=tests/airflow
	$(PREFECT_ENV)/bin/python -m pytest $(DOCTESTS) --ignore=scouter_flows/operators

test-airflow: $(AIRFLOW_ENV)
	$(AIRFLOW_ENV)/bin/python -m pytest --ignore=tests/prefect
	$(AIRFLOW_ENV)/bin/python -m pytest $(DOCTESTS) --ignore=scouter_flows/flows

# Each environment below is built from its lock under locks/ (.venv-NAME from locks/NAME.txt).
.venv-%: locks/%.txt | $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $@
	VIRTUAL_ENV=$(CURDIR)/$@ $(UV) pip sync --quiet $<
	VIRTUAL_ENV=$(CURDIR)/$@ $(UV) pip install --quiet --no-deps -e .
	touch $@

# The floors of our dependency ranges, tested: locks/lowest.txt holds every direct dependency at
# the lowest version pyproject.toml admits (the rest as they resolve), and the suite outside the
# orchestrators runs on it. `make locks` writes it again after a range changes.
LOWEST_ENV := .venv-lowest
test-lowest: $(LOWEST_ENV)
	$(LOWEST_ENV)/bin/python -m pytest --ignore=tests/airflow --ignore=tests/prefect

# The newest Prefect the range admits (uv.lock holds the oldest tested): the Prefect tests, the
# real server's included, run on it too.
NEWEST_PREFECT_ENV := .venv-prefect-newest
test-prefect-newest: $(NEWEST_PREFECT_ENV)
	$(NEWEST_PREFECT_ENV)/bin/python -m pytest tests/prefect

# The oldest Airflow the range admits, 2.11 (uv.lock holds the newest): the Airflow tests run on
# it, with the SQLAlchemy 1.4 and psycopg2 it brings.
OLDEST_AIRFLOW_ENV := .venv-airflow-oldest
test-airflow-oldest: $(OLDEST_AIRFLOW_ENV)
	$(OLDEST_AIRFLOW_ENV)/bin/python -m pytest tests/airflow

# `uv pip compile -o` keeps the pins of an existing output, so each lock is written afresh.
locks: | $(UV)
	rm -f locks/lowest.txt locks/prefect-newest.txt locks/airflow-oldest.txt
	$(UV) pip compile --quiet pyproject.toml --extra dev --resolution lowest-direct \
		--python-version 3.11 --no-header -o locks/lowest.txt
	$(UV) pip compile --quiet pyproject.toml --extra prefect --extra dask --extra dev \
		--override locks/prefect-newest.in --python-version 3.11 --no-header \
		-o locks/prefect-newest.txt
	$(UV) pip compile --quiet pyproject.toml --extra airflow --extra dev \
		--override locks/airflow-oldest.in --python-version 3.11 --no-header \
		-o locks/airflow-oldest.txt

# Benchmarks compare against Scouter's Rust core, installed only in this environment.
BENCH_ENV := .venv-bench
$(BENCH_ENV): uv.lock pyproject.toml | $(UV)
	UV_PROJECT_ENVIRONMENT=$@ $(UV) sync --locked --extra dev
	VIRTUAL_ENV=$(CURDIR)/$@ $(UV) pip install --quiet "scouter-ml==0.25.0"
	touch $@

bench: $(BENCH_ENV)
	$(BENCH_ENV)/bin/python benchmarks/drift.py

clean:
	rm -rf $(TOOLS) $(PREFECT_ENV) $(AIRFLOW_ENV) $(LOWEST_ENV) $(NEWEST_PREFECT_ENV) $(OLDEST_AIRFLOW_ENV) $(BENCH_ENV) .demo .mypy_cache .ruff_cache .pytest_cache
