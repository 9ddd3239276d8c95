"""Weight initialisation: plain (untruncated) normal draws, shape (n_out, n_in).

Keras' ``GlorotNormal`` and ``HeNormal`` draw from a *truncated* normal
(cut at two standard deviations, rescaled so the std still equals the
formula); the lecture and this reference use the plain normal.
"""
from __future__ import annotations

import numpy as np


def glorot_normal(n_in, n_out, rng):
    """Xavier/Glorot normal: W ~ N(0, 2/(n_in + n_out)), shape (n_out, n_in)."""
    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))


def he_normal(n_in, n_out, rng):
    """He normal: W ~ N(0, 2/n_in), shape (n_out, n_in)."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
