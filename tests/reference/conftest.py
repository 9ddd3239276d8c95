"""Fixtures for the tests that prove reference_impl against Keras/TensorFlow.

TensorFlow is imported once per session, only by tests that ask for it.
"""
import pytest


@pytest.fixture(scope="session")
def tf():
    import tensorflow

    tensorflow.random.set_seed(0)
    return tensorflow


@pytest.fixture(scope="session")
def keras(tf):
    import keras as _keras

    _keras.utils.set_random_seed(0)
    return _keras


def pytest_sessionfinish(session):
    """With REFERENCE_ERRORS=path, write every measured Keras comparison error to that file."""
    import os

    path = os.environ.get("REFERENCE_ERRORS")
    if not path:
        return
    from .compare import MEASURED

    with open(path, "w") as out:
        out.write("comparison\tmax_abs_err\tmax_rel_err\n")
        for name, max_abs, max_rel in MEASURED:
            out.write(f"{name}\t{max_abs:.3e}\t{max_rel:.3e}\n")
