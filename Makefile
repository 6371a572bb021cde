# Two commands on a fresh machine:
#   make demo   install vlmdata and run the whole analysis on the embedded sample corpus
#   make test   install vlmdata with the test extras and run the linters and the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch is pinned, with the torchvision built for it (open_clip needs torchvision): an unpinned
# torch lets pip choose a release that may not match, or pull another multi-GB build.
TORCH ?= torch==2.14.1 torchvision==0.29.1

.PHONY: demo test lint install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q $(TORCH) -e '.[dev,clip,hf,datasets]'

demo: install
	$(BIN)/vlmdata demo

lint: install-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
