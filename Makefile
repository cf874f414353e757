# One command to set up and run the main job, one to run the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
# torch is pinned so pip takes the CPU wheel (an unpinned torch may pull a multi-GB CUDA build).
TORCH ?= torch==2.13.0
# The YAML language server tests/editor drives (pinned in .tools/package-lock.json).
TOOLS := .tools

.PHONY: setup demo test lint bench docs docs-serve

setup: $(VENV)/.installed $(TOOLS)/.installed

$(VENV)/.installed: pyproject.toml examples/plugin/pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check "$(TORCH)"
	$(PY) -m pip install -q --disable-pip-version-check -e ".[dev,torch]"
	$(PY) -m pip install -q --disable-pip-version-check -e examples/plugin
	touch $@

# Without npm the editor tests are skipped (they need node); with it, `npm ci` installs exactly
# the locked yaml-language-server.
$(TOOLS)/.installed: $(TOOLS)/package.json $(TOOLS)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(TOOLS) --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: tests/editor (yaml-language-server) will be skipped"; fi

demo: setup
	$(BIN)/rpnschema validate examples/*.yaml examples/*.json examples/tinybig/*.yaml
	$(BIN)/rpnschema resolve examples/kan_bspline.yaml
	$(BIN)/rpnschema build examples/multihead_fusion.yaml

lint: setup
	$(BIN)/ruff check rpnschema tests benchmarks examples
	$(BIN)/ruff format --check rpnschema tests benchmarks examples

test: setup
	$(BIN)/ruff check rpnschema tests benchmarks examples
	$(PY) -m pytest -q

bench: setup
	$(PY) benchmarks/bench_validate.py
	$(PY) benchmarks/bench_cold_validate.py
	$(PY) benchmarks/bench_ci.py
	$(PY) benchmarks/bench_compile.py

# The docs site (mkdocs.yml, docs/). Regenerate its generated pages with
# `python -m rpnschema.reference --write`; tests/test_docs.py fails when they are stale.
docs: setup
	$(PY) -m mkdocs build --strict

docs-serve: setup
	$(PY) -m mkdocs serve
