# The two commands of the README:
#   make demo   set up a virtual environment and run the main job on its built-in default
#   make test   set up a virtual environment with every extra and run the whole test suite
# Both create .venv (with the project and all its extras) on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# `make test`: pytest-xdist workers (auto: one per CPU core; JOBS=0 runs in this one process) and any
# other pytest arguments (PYTEST_ARGS="-k dropout --durations=20")
JOBS        ?= auto
PYTEST_ARGS ?=

# the install pipes pip through a filter: a failing pip must still fail the recipe
SHELL := /bin/bash
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: demo test install data clean student-dist

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10+ needed, found " + sys.version'
	@echo "Installing nn-grader with every extra into $(VENV)/ (first time only; later runs reuse it): TensorFlow"
	@echo "(a 275 MB wheel, 1.3 GB unpacked), nbgrader and Jupyter, scikit-learn, pytest: about 140 packages,"
	@echo "some 500 MB to download, 2 GB on disk. A few minutes on a fresh machine; pip's full log: build/pip.log"
	$(PYTHON) -m venv $(VENV)
	mkdir -p build
	$(BIN)/python -m pip install --quiet --upgrade pip
	set -o pipefail; $(BIN)/python -m pip install --progress-bar off --log build/pip.log -e '.[all]' \
	  | $(PYTHON) tools/pip_progress.py
	touch $@

# Fashion-MNIST (ex12) from Debian's dataset-fashion-mnist: installed when root with apt, else a hint
data:
	@mkdir -p build && bash tools/install_data.sh

demo: $(STAMP) data
	$(BIN)/grader selfcheck --json > /dev/null && echo "reference selfcheck: all gradients agree"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/grader demo demo-course

# one test file per worker at a time, slowest files first (tests/conftest.py says why)
test: $(STAMP) data
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# the student distribution: the public checker, no reference, no solutions (tools/student_dist.py)
student-dist: $(STAMP)
	$(BIN)/python tools/student_dist.py --out dist/student

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
