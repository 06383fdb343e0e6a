# Two commands: `make run` (set up, build demo data + knowledge index, start the app) and
# `make test` (set up, run the tests). Everything else here serves those two.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= .data
CRM_DB ?= $(DATA)/demo.db
CRM_INDEX_DIR ?= $(DATA)/kb
CRM_DATA_DIR ?= $(DATA)
export CRM_DB CRM_INDEX_DIR CRM_DATA_DIR
STAMP := $(VENV)/.installed
# llama.cpp built for any x86-64 CPU (not just this one), without the multimodal tools.
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF

.PHONY: run test setup browser model kb bench lint clean

run: setup $(CRM_DB) kb model
	$(BIN)/crm serve --db $(CRM_DB)

test: setup browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# The CPU build of torch must come first: a bare `torch` requirement pulls a multi-GB CUDA build.
	$(BIN)/python -m pip install torch==2.13.0
	@echo ">>> Installing CRM Assistant and its dependencies."
	@echo ">>> First time only: compiling llama-cpp-python takes 6-18 minutes on 2 cores; pip caches the wheel."
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(BIN)/python -m pip install -e '.[local,test,bench]'
	touch $(STAMP)

# Headless Chromium for the browser tests, from Debian's packages (no browser download).
browser:
	@# Chinese and emoji fonts, or the screenshots show boxes instead of text.
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi wqy; then \
		echo ">>> Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium chromium-driver \
			fonts-wqy-microhei fonts-noto-color-emoji; \
	fi

$(CRM_DB): | $(STAMP)
	$(BIN)/crm init --demo --db $(CRM_DB)

kb: setup
	$(BIN)/crm kb build

model: setup
	$(BIN)/crm model prepare

bench: setup
	for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: setup
	$(BIN)/ruff check assistant tools knowledge prompts app.py tests bench

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache
