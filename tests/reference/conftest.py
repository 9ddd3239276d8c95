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
