# The two commands of the README:
#   make demo   set up a virtual environment and run the main job on its built-in default
#   make test   set up a virtual environment with every extra and run the whole test suite
# Both create .venv (with the project and all its extras) on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: demo test install clean student-dist

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10+ needed, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]'
	touch $@

demo: $(STAMP)
	$(BIN)/grader selfcheck --json > /dev/null && echo "reference selfcheck: all gradients agree"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/grader demo demo-course

test: $(STAMP)
	$(BIN)/python -m pytest

# the student distribution: the public checker, no reference, no solutions (tools/student_dist.py)
student-dist: $(STAMP)
	$(BIN)/python tools/student_dist.py --out dist/student

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
