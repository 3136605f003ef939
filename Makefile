# The two commands a learner needs:  make lab   and   make test
# Both create (or reuse) the local virtual environment .venv/.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Installed before the project itself; CI uses "torch==2.13.0" (a CPU build already on disk).
TORCH_SPEC ?=
LAB_ARGS ?=
# Your own copies of the notebooks (student versions): a folder inside the repository, so that
# JupyterLab, serving the repository, shows it beside notebooks/ (the solutions)
WORKSPACE ?= workspace
# make lab lands on the workspace's README the first time (before it exists), on the folder later
LAB_URL := /lab/tree/$(WORKSPACE)$(if $(wildcard $(WORKSPACE)/README.md),,/README.md)
# JupyterLab refuses to run as root unless told (containers, CI)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_ARGS ?=
EXERCISES_ARGS ?=
BENCH_ARGS ?=
# Optional extras of pyproject.toml installed into .venv: dev (benchmark threads) by default;
# CI adds the teachers' and authors' tools (nbgrader, the web book, the browser tests).
EXTRAS ?= dev
comma := ,
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
# make book: options of tools/book.py (--full: full sizes); it adds the book extra to EXTRAS
BOOK_ARGS ?=
BOOK_EXTRAS := $(if $(filter book,$(subst $(comma), ,$(EXTRAS))),$(EXTRAS),$(EXTRAS)$(comma)book)

.PHONY: lab test venv export exercises bench data strip book clean-venv help

help:
	@echo "make lab        set up .venv, write your student notebooks into workspace/ (never overwriting yours)"
	@echo "                and open JupyterLab there (the solutions: notebooks/, beside it)"
	@echo "make test       set up .venv and run the whole test suite (unit tests + every notebook, quick mode)"
	@echo "make exercises  write the student versions of the notebooks into workspace/"
	@echo "make export     regenerate the package modules from the notebooks' #| export cells"
	@echo "make bench      run the benchmark suite (ratios against the floor and PyTorch)"
	@echo "make data       download and verify CIFAR-10 (python -m cs231n_helpers.data download)"
	@echo "make strip      strip notebook outputs (keeps # NBVAL_CHECK_OUTPUT cells)"
	@echo "make book       execute every notebook (quick mode; BOOK_ARGS=--full for full sizes) and build"
	@echo "                the web book into _build/book/ (open _build/book/index.html)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@if [ -n "$(TORCH_SPEC)" ]; then $(PY) -m pip install --quiet $(TORCH_SPEC); fi
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	@touch $@

venv: $(STAMP)

lab: venv
	-$(PY) -m tools.exercises --dest $(WORKSPACE)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=$(LAB_URL) $(ROOT_FLAG) $(LAB_ARGS)

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

export: venv
	$(PY) -m tools.export

exercises: venv
	$(PY) -m tools.exercises --dest $(WORKSPACE) $(EXERCISES_ARGS)

bench: venv
	$(PY) -m benchmarks $(BENCH_ARGS)

data: venv
	$(PY) -m cs231n_helpers.data download

strip: venv
	$(PY) -m tools.hygiene --strip notebooks/*.ipynb

book:
	@$(MAKE) --no-print-directory venv EXTRAS=$(BOOK_EXTRAS)
	$(PY) -m tools.book $(BOOK_ARGS)

clean-venv:
	rm -rf $(VENV)
