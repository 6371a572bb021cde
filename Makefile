# Two commands on a fresh machine:
#   make demo   install vlmdata and run the whole analysis on the embedded sample corpus
#   make test   install vlmdata with the test extras and run the linters and the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch is pinned: this version lies on the machine's disk as a CPU build; an unpinned torch
# pulls a multi-GB CUDA build.
TORCH ?= torch==2.13.0

.PHONY: demo test lint install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e '.[dev,test]'

demo: install
	$(BIN)/vlmdata demo

lint: install-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
