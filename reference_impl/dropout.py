"""Inverted dropout; ``p`` is the probability of *keeping* a unit."""
from __future__ import annotations

import numpy as np


def dropout_forward(a, p, train=True, rng=None):
    """Inverted dropout.

    a: any shape (in the course (n_k, m)); 0 < p ≤ 1 the keep probability;
    rng: a ``numpy.random.Generator`` (default ``np.random.default_rng()``).
    Training: mask = (U < p) / p with U ~ Uniform[0, 1) of a's shape,
    out = a ⊙ mask, so E[out] = a. Test: out = a, mask = None (no scaling).
    Returns (out, mask).
    """
    if not 0.0 < p <= 1.0:
        raise ValueError(f"keep probability p must satisfy 0 < p <= 1, got {p!r}")
    a = np.asarray(a, dtype=np.float64)
    if not train:
        return a, None
    if rng is None:
        rng = np.random.default_rng()
    mask = (rng.random(a.shape) < p) / p
    return a * mask, mask


def dropout_backward(dout, mask):
    """∂J/∂a = dout ⊙ mask; with mask None (test mode) the gradient passes unchanged."""
    dout = np.asarray(dout, dtype=np.float64)
    if mask is None:
        return dout
    return dout * mask
