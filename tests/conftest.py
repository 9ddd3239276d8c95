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
