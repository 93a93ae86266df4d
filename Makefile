# Everything a fresh machine needs, from nothing but Python and pip.
#   make quickstart   set up, then run the quickstart against the embedded local platform
#   make test         set up, then lint, type-check and run every test
#   make bench        set up, then run the benchmarks (ratios against raw httpx)
#   make reliability  set up, then print the reliability table (faults, hostile input, secrets)

PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell $(PYTHON) -c 'import sys; print(sys.executable)')

.PHONY: setup test lint typecheck pytest bench reliability quickstart openapi clean

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

pytest: setup
	$(UV) run pytest -q

test: lint typecheck pytest

bench: setup
	$(UV) run python bench/core.py
	@for b in bench/async_client.py bench/local_platform.py bench/components_list.py bench/datasets_append.py bench/cli.py; do \
		if [ -f $$b ]; then echo; $(UV) run python $$b || exit 1; fi; done

reliability: setup
	$(UV) run python reliability/run.py

quickstart: setup
	$(UV) run bash examples/quickstart/run.sh

openapi: setup
	$(UV) run python -m flow_sdk_local.openapi > docs/openapi.json

clean:
	rm -rf $(TOOLS) .venv .quickstart
