# vizflow — the two commands: `make lab` and `make test`. Each does its own set-up;
# stamp files under .stamps/ make a re-run skip the slow steps when nothing changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMPS := .stamps
export PATH := $(BIN):$(PATH)

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
LAB_PORT ?= 8888

PY_MANIFESTS := pyproject.toml engine/pyproject.toml kernelext/pyproject.toml
LABEXT_SOURCES := $(shell find labextension/src labextension/style -type f 2>/dev/null) \
	labextension/package.json labextension/tsconfig.json \
	kernelext/vizflow_kernelext/protocol/protocol.schema.json

.PHONY: lab test setup lint typecheck test-ts test-py test-browser clean help

help:
	@echo "make lab   - set up and start JupyterLab on tutorials/"
	@echo "make test  - set up and run every test (lint, types, Python, TypeScript, tutorials, browser)"

$(STAMPS):
	mkdir -p $(STAMPS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# One pip call installs the three distributions editable; the root one's build hook
# builds the labextension. Then link it for development so `jlpm build` shows on reload.
# A re-install first drops the develop link: pip would write through it into the build output.
LABEXT_LINK := $(VENV)/share/jupyter/labextensions/@vizflow/jupyterlab
$(STAMPS)/install: $(BIN)/python $(PY_MANIFESTS) labextension/yarn.lock | $(STAMPS)
	if [ -L $(LABEXT_LINK) ]; then rm $(LABEXT_LINK); fi
	rm -f vizflow/labextension/install.json
	$(BIN)/pip install --quiet -e ./engine -e ./kernelext -e ".[test]"
	$(BIN)/jupyter labextension develop --overwrite . > /dev/null
	touch $(STAMPS)/labext $@

# Rebuild the extension when its sources change after the install.
$(STAMPS)/labext: $(STAMPS)/install $(LABEXT_SOURCES)
	cd labextension && $(BIN)/jlpm build
	touch $@

# What the tests need from Debian: chromium (browser tests) and graphviz (dot).
$(STAMPS)/system: | $(STAMPS)
	@if ! command -v chromium > /dev/null || ! command -v dot > /dev/null; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium graphviz > /dev/null; \
	fi
	touch $@

setup: $(STAMPS)/install $(STAMPS)/labext

lab: setup
	cd tutorials && $(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(LAB_PORT) $(ALLOW_ROOT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd labextension && $(BIN)/jlpm lint:check

typecheck: setup
	$(BIN)/mypy

test-ts: setup
	cd labextension && $(BIN)/jlpm test

test-py: setup $(STAMPS)/system
	$(BIN)/jupyter labextension list 2>&1 | grep -iE "@vizflow/jupyterlab.*OK"
	$(BIN)/python -m pytest -q -m "not browser" --hypothesis-profile=ci

test-browser: setup $(STAMPS)/system
	$(BIN)/python tests/browser/browser_check.py $(ALLOW_ROOT)
	$(BIN)/python -m pytest -q -m browser

test: lint typecheck test-ts test-py test-browser
	@echo "make test: all checks passed"

clean:
	rm -rf $(STAMPS) vizflow/labextension labextension/lib labextension/node_modules \
		labextension/tsconfig.tsbuildinfo artifacts
