# Sổ Khuyến Học — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export QT_QPA_PLATFORM ?= $(if $(DISPLAY)$(WAYLAND_DISPLAY),,offscreen)

.PHONY: run test lint typecheck unit bench package smoke-frozen clean system-deps venv

$(STAMP): pyproject.toml
	@bash packaging/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,hub]"
	@touch $(STAMP)

venv: $(STAMP)

system-deps:
	@bash packaging/system-deps.sh

run: $(STAMP)
	$(BIN)/khuyenhoc gui

lint: $(STAMP)
	$(BIN)/ruff check app tests migrations
	$(BIN)/ruff format --check app tests migrations

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q -m "not benchmark" tests

test: lint typecheck unit

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q -s -m benchmark tests/benchmarks

# The frozen one-folder app for this machine (PyInstaller) → dist/SoKhuyenHoc/ (packaging/README.md).
package: $(STAMP)
	@bash packaging/system-deps.sh --package
	@$(BIN)/python -c "import PyInstaller" 2>/dev/null || $(BIN)/python -m pip install --quiet -e ".[package]"
	PYINSTALLER=$(BIN)/pyinstaller bash packaging/build.sh

# Runs the frozen binary in temporary data folders: --version, init, demo, stats, backup, gui.
smoke-frozen:
	QT_QPA_PLATFORM=offscreen $(PYTHON) packaging/smoke_test.py

clean:
	rm -rf build dist .mypy_cache .ruff_cache .pytest_cache
