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

.PHONY: browser demo test lint typecheck test-prefect test-airflow test-lowest test-prefect-newest test-prefect-oldest test-airflow-oldest locks bench envs clean

demo: $(PREFECT_ENV)
	$(PREFECT_ENV)/bin/scouter-flows demo --dir .demo

# The checks are independent and spend much of their time waiting on servers and subprocesses,
# so they run two at a time, the longest first; each one's output is printed whole when it ends.
TEST_JOBS ?= 2
CHECKS := test-prefect lint typecheck test-prefect-oldest test-lowest test-prefect-newest \
	test-airflow test-airflow-oldest
test:
	$(MAKE) --jobs=$(TEST_JOBS) --output-sync=target $(CHECKS)

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

# The report tests open pages in Debian's Chromium, installed here when missing and possible
# (as root, from the package registry); where it cannot be, those tests say why (and fail in CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
		{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; }; } || \
		echo "chromium could not be installed: the report tests will say so"

test-prefect: $(PREFECT_ENV) browser
	$(PREFECT_ENV)/bin/python -m pytest --ignore=tests/airflow
	$(PREFECT_ENV)/bin/python -m pytest $(DOCTESTS) --ignore=scouter_flows/operators

# The suite outside the orchestrators runs once on the newest dependencies, beside Prefect (uv.lock
# gives both environments the same versions of everything they share); the Airflow side adds
# its own tests and the docs' imports of the operators, which only it can resolve.
test-airflow: $(AIRFLOW_ENV)
	$(AIRFLOW_ENV)/bin/python -m pytest tests/airflow tests/test_docs.py
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
test-lowest: $(LOWEST_ENV) browser
	$(LOWEST_ENV)/bin/python -m pytest --ignore=tests/airflow --ignore=tests/prefect

# The newest Prefect the range admits (uv.lock holds the oldest tested): the Prefect tests, the
# real server's included, run on it too.
NEWEST_PREFECT_ENV := .venv-prefect-newest
test-prefect-newest: $(NEWEST_PREFECT_ENV)
	$(NEWEST_PREFECT_ENV)/bin/python -m pytest tests/prefect

# The oldest Prefect the range admits, 3.4 (with the fastapi its server still works with).
OLDEST_PREFECT_ENV := .venv-prefect-oldest
test-prefect-oldest: $(OLDEST_PREFECT_ENV)
	$(OLDEST_PREFECT_ENV)/bin/python -m pytest tests/prefect

# The oldest Airflow the range admits, 2.11 (uv.lock holds the newest): the Airflow tests run on
# it, with the SQLAlchemy 1.4 and psycopg2 it brings.
OLDEST_AIRFLOW_ENV := .venv-airflow-oldest
test-airflow-oldest: $(OLDEST_AIRFLOW_ENV)
	$(OLDEST_AIRFLOW_ENV)/bin/python -m pytest tests/airflow

# `uv pip compile -o` keeps the pins of an existing output, so each lock is written afresh. An
# orchestrator lock resolves pyproject.toml together with its locks/NAME.in, which pins the
# orchestrator to one edge of its range and adds what that version alone needs.
ORCHESTRATOR_LOCKS := prefect-oldest:prefect prefect-newest:prefect airflow-oldest:airflow
locks: | $(UV)
	rm -f locks/*.txt
	$(UV) pip compile --quiet pyproject.toml --extra dev --resolution lowest-direct \
		--python-version 3.11 --no-header -o locks/lowest.txt
	for entry in $(ORCHESTRATOR_LOCKS); do \
		name=$${entry%%:*}; extra=$${entry##*:}; \
		extras="--extra $$extra"; [ $$extra = prefect ] && extras="$$extras --extra dask"; \
		$(UV) pip compile --quiet pyproject.toml locks/$$name.in $$extras --extra dev \
			--python-version 3.11 --no-header -o locks/$$name.txt || exit 1; \
	done

# Benchmarks compare against Scouter's Rust core, installed only in this environment.
BENCH_ENV := .venv-bench
$(BENCH_ENV): uv.lock pyproject.toml | $(UV)
	UV_PROJECT_ENVIRONMENT=$@ $(UV) sync --locked --extra dev
	VIRTUAL_ENV=$(CURDIR)/$@ $(UV) pip install --quiet "scouter-ml==0.25.0"
	touch $@

bench: $(BENCH_ENV)
	$(BENCH_ENV)/bin/python benchmarks/drift.py

clean:
	rm -rf $(TOOLS) $(PREFECT_ENV) $(AIRFLOW_ENV) $(LOWEST_ENV) $(NEWEST_PREFECT_ENV) $(OLDEST_PREFECT_ENV) $(OLDEST_AIRFLOW_ENV) $(BENCH_ENV) .demo .mypy_cache .ruff_cache .pytest_cache
