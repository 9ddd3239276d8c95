"""Cost functions, each a mean over the m examples (columns), and their gradients.

y, t: (n_out, m). Each ``*_grad`` returns ∂J/∂y of shape (n_out, m), the
gradient of the *mean*, so the 1/m is inside it.
"""
from __future__ import annotations

import numpy as np

from .activations import softmax


def _pair(y, t):
    y = np.asarray(y, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    if y.shape != t.shape:
        raise ValueError(f"y has shape {y.shape} but t has shape {t.shape}")
    return y, t, y.shape[-1]


def mse_loss(y, t):
    """J = (1/m) Σ_columns ½‖y − t‖² (the lecture's ½ convention)."""
    y, t, m = _pair(y, t)
    return float(0.5 * np.sum((y - t) ** 2) / m)


def mse_loss_grad(y, t):
    """∂J/∂y = (y − t) / m."""
    y, t, m = _pair(y, t)
    return (y - t) / m


def cross_entropy_loss(y, t):
    """J = −(1/m) Σ t ⊙ log y, for softmax outputs y and one-hot t."""
    y, t, m = _pair(y, t)
    return float(-np.sum(t * np.log(y)) / m)


def cross_entropy_loss_grad(y, t):
    """∂J/∂y = −t / (m y)."""
    y, t, m = _pair(y, t)
    return -t / (m * y)


def binary_cross_entropy_loss(y, t):
    """J = −(1/m) Σ_columns Σ_rows [t log y + (1 − t) log(1 − y)], y in (0, 1)."""
    y, t, m = _pair(y, t)
    return float(-np.sum(t * np.log(y) + (1.0 - t) * np.log1p(-y)) / m)


def binary_cross_entropy_loss_grad(y, t):
    """∂J/∂y = (y − t) / (m y (1 − y))."""
    y, t, m = _pair(y, t)
    return (y - t) / (m * y * (1.0 - y))


def softmax_cross_entropy_delta(z, t):
    """δ = ∂J/∂z for y = softmax(z) and J = cross_entropy_loss(y, t): (softmax(z) − t)/m.

    z, t: (n_classes, m) -> (n_classes, m).
    """
    z, t, m = _pair(z, t)
    return (softmax(z) - t) / m
