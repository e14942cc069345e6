# The quickstart:  make run   (set up, then run the service on config/monitor.yaml)
#                  make test  (set up, then run the test suite)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: setup run demo test test-container lint check bench bench-farm rules clean

$(BIN)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "monitor needs Python 3.11 or newer; set PYTHON=python3.11" or 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/monitor run

demo: setup
	$(BIN)/monitor demo

# The browser tests fail here, rather than skip, when Chromium is missing (.ci/run installs it).
# Two workers: every test has its own ports, folders and PostgreSQL schema.
test: setup
	MONITOR_BROWSER_TESTS=required $(BIN)/pytest -q -n 2

# Builds deploy/Dockerfile with podman on a local Debian base and runs the image (DEVELOPERS.md).
test-container: setup
	bash tests/container/base-image.sh
	MONITOR_CONTAINER_TESTS=required $(BIN)/pytest -q -m container tests/container

lint: setup
	$(BIN)/ruff format --check monitor tests bench
	$(BIN)/ruff check monitor tests bench
	$(BIN)/mypy
	$(BIN)/hadolint deploy/Dockerfile

check: lint test

bench: setup
	$(BIN)/python bench/bench_detect.py
	$(BIN)/python bench/bench_dedup.py
	$(BIN)/python bench/bench_poll.py
	$(BIN)/python bench/bench_replicas.py
	$(BIN)/python bench/bench_console.py

# monitor beside rss2email and feed2exec on a loopback news farm (README "Performance").
bench-farm: setup
	$(BIN)/python bench/farm.py

# config/rules/ is the user-facing copy of the shipped rules and their language packs.
rules:
	rm -f config/rules/missile_launch*.yaml
	cp monitor/data/rules/missile_launch*.yaml config/rules/

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
