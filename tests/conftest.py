"""Shared test configuration: quiet TensorFlow, fixed seeds."""
import os

# Must be set before TensorFlow is first imported by any test.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("PYTHONHASHSEED", "0")

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A fresh, fixed-seed generator for each test."""
    return np.random.default_rng(20261122)

# Hidden checks need a key and none ships with the package (autograder.secret): the tests' own,
# for tests that grade outside a course. Tests of the refusal remove it.
os.environ.setdefault("GRADER_HIDDEN_KEY", "nn-grader-tests-hidden-key")


# `make test` runs the suite on every core with pytest-xdist, one test file per worker at a time
# (`--dist loadfile`: a module's fixtures, such as a graded course, are built once, and its tests run
# in order on one worker), handing out files in collection order (`--no-loadscope-reorder`). The
# slowest files go first, so that no worker starts a long file when the others are nearly done.
# Seconds per file measured by `make test PYTEST_ARGS=--durations=0` on the 2-core machine, shared.
SLOWEST_FIRST = (
    "tests/test_course.py",             # 241 s: the demo course (150 gradings), interrupted runs, autograde
    "tests/exercises/test_common.py",   # 224 s: every exercise's solution, stub and known mistakes, sandboxed
    "tests/exercises/test_ex9.py",      # 95 s: scikit-learn searches in the sandbox
    "tests/test_student_dist.py",       # 88 s: builds the student wheel, installs it with Jupyter in a venv
    "tests/exercises/test_ex7.py",      # 47 s: Keras models trained in the sandbox
    "tests/test_instructor_errors.py",  # 46 s
    "tests/test_wire_hostile.py",       # 35 s: 18 attacks on the reply channel
    "tests/test_hostile.py",            # 25 s
    "tests/exercises/test_ex8.py",      # 23 s
    "tests/exercises/test_ex6.py",      # 18 s
    "tests/test_course_malformed.py",   # 14 s
    "tests/test_formgrader.py",         # 13 s
    "tests/exercises/test_ex5.py",      # 12 s; every other file takes under 10 s
)


def pytest_collection_modifyitems(config, items):
    rank = {path: i for i, path in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))  # stable: the rest keep their order
