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
    "tests/exercises/test_ex12.py",     # Keras searches and Bayesian optimisation on Fashion-MNIST
    "tests/test_student_dist.py",       # 88 s: builds the student wheel, installs it with Jupyter in a venv
    "tests/exercises/test_ex7.py",      # 47 s: Keras models trained in the sandbox
    "tests/test_instructor_errors.py",  # 46 s
    "tests/test_cluster.py",            # 22-38 s: a Dask scheduler and two workers on the loopback
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


# ex12 grades on Fashion-MNIST, which comes from Debian's `dataset-fashion-mnist` (or
# $GRADER_FASHION_MNIST): nothing is downloaded. `make test` installs the package when it can (root with
# apt: tools/install_data.sh); CI sets GRADER_REQUIRE_FASHION_MNIST=1, so that there a missing data set
# fails the tests that need it instead of skipping them.
FASHION_REQUIRED_ENV = "GRADER_REQUIRE_FASHION_MNIST"


def fashion_mnist_missing() -> str | None:
    """Why Fashion-MNIST cannot be read here, or None when it can."""
    from autograder.data import fashion_mnist_source

    source = fashion_mnist_source()
    if source is None:
        return ("Fashion-MNIST is not installed (apt install dataset-fashion-mnist, or set $GRADER_FASHION_MNIST); "
                "make test installs it when run as root")
    return None if source.exists() else f"$GRADER_FASHION_MNIST={source}: no such file or folder"


def pytest_runtest_setup(item):
    if item.get_closest_marker("fashion") is None:
        return
    reason = fashion_mnist_missing()
    if reason is None:
        return
    if os.environ.get(FASHION_REQUIRED_ENV):
        pytest.fail(f"${FASHION_REQUIRED_ENV} is set but {reason}", pytrace=False)
    pytest.skip(reason)
