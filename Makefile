# Everything a fresh machine needs, from nothing but Python and pip.
#   make quickstart   set up, then run the quickstart against the embedded local platform
#   make test         set up, then lint, type-check, run every test (starting a private
#                     PostgreSQL server when one can be had), build the docs strictly
#                     and run the release check
#   make bench        set up, then run the benchmarks (ratios against raw httpx)
#   make reliability  set up, then print the reliability table (faults, hostile input, secrets)
#   make docs         set up, then build the documentation site into .site/ (strict)

PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell $(PYTHON) -c 'import sys; print(sys.executable)')

.PHONY: setup test lint typecheck pytest docs release-check bench reliability quickstart openapi clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv

setup: $(UV)
	$(UV) sync --all-packages --all-extras --quiet

lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck: setup
	$(UV) run mypy core/src plugins/*/src examples/plugin/src examples/embedding

# The connector tests need PostgreSQL: start a private server unless one is configured;
# when none can be had, the test summary names the tests that could not run, and why.
pytest: setup
	@if [ -z "$$FLOW_TEST_POSTGRES_DSN" ] && out=$$(bash .ci/postgres.sh 2>.postgres.log); then \
		eval "$$out"; trap 'bash .ci/postgres.sh stop "$$FLOW_TEST_POSTGRES_DIR" 2>/dev/null' EXIT; \
	elif [ -z "$$FLOW_TEST_POSTGRES_DSN" ]; then \
		echo "no PostgreSQL server could be started (.postgres.log says why): its tests will be reported as skipped"; \
	fi; \
	$(UV) run pytest -q

docs: setup
	NO_MKDOCS_2_WARNING=1 $(UV) run mkdocs build --strict --quiet -d .site

release-check: setup
	$(UV) run python .ci/release_check.py

test: lint typecheck docs release-check pytest

bench: setup
	$(UV) run python bench/core.py
	@for b in bench/async_client.py bench/local_platform.py bench/components_list.py bench/datasets_append.py bench/cli.py bench/console.py; do \
		if [ -f $$b ]; then echo; $(UV) run python $$b || exit 1; fi; done

reliability: setup
	$(UV) run python reliability/run.py

quickstart: setup
	$(UV) run bash examples/quickstart/run.sh

openapi: setup
	$(UV) run python -m flow_sdk_local.openapi > docs/openapi.json

clean:
	rm -rf $(TOOLS) .venv .quickstart .site dist
