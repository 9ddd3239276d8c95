"""Activation functions and their derivatives (lecture notation).

Every function takes ``z`` of any shape (in the course: ``(n_k, m)``, one
column per example) and returns an array of the same shape, float64.
Derivatives take ``z`` (the pre-activation), never the activation ``a``.
"""
from __future__ import annotations

import numpy as np


def sigmoid(z):
    """σ(z) = 1 / (1 + e^{-z}), computed without overflow for any |z|.

    Uses σ(z) = exp(-log(1 + e^{-z})) through ``np.logaddexp``, which is exact
    and warning-free at z = ±1000.
    """
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_prime(z):
    """σ'(z) = σ(z)(1 − σ(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """tanh(z)."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_prime(z):
    """tanh'(z) = 1 − tanh(z)²."""
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def relu(z):
    """ReLU(z) = max(0, z)."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def relu_prime(z):
    """ReLU'(z) = 1 where z > 0, else 0 (the course's convention: 0 at z = 0)."""
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


def leaky_relu(z, alpha=0.01):
    """Leaky ReLU: z where z > 0, alpha·z elsewhere."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_prime(z, alpha=0.01):
    """Leaky ReLU': 1 where z > 0, alpha elsewhere."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, alpha)


def linear(z):
    """Identity activation."""
    return np.asarray(z, dtype=np.float64).copy()


def linear_prime(z):
    """Derivative of the identity: ones."""
    return np.ones_like(np.asarray(z, dtype=np.float64))


def softmax(z):
    """Softmax over axis 0 (each column is one example's class scores).

    z: (n_classes, m) -> (n_classes, m), columns sum to 1.
    Stable: subtracts each column's maximum before exponentiating, so
    |z| up to 1e3 gives no overflow, nan or warning.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_backward(da, z):
    """Vector–Jacobian product of softmax over axis 0.

    da: (n, m) = ∂L/∂a, z: (n, m) -> ∂L/∂z = s ⊙ (da − Σ_i s_i da_i).
    """
    s = softmax(z)
    return s * (da - np.sum(s * da, axis=0, keepdims=True))


#: name -> (f, f') for the elementwise activations. Softmax is not
#: elementwise; layers handle it through :func:`softmax_backward`.
ELEMENTWISE = {
    "linear": (linear, linear_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
}

#: every activation name ``dense_forward`` accepts.
ACTIVATIONS = (*ELEMENTWISE, "softmax")


def activate(z, name):
    """Apply the activation called ``name`` (one of :data:`ACTIVATIONS`)."""
    if name == "softmax":
        return softmax(z)
    try:
        f, _ = ELEMENTWISE[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}"
        ) from None
    return f(z)


def activation_backward(da, z, name):
    """∂L/∂z from ∂L/∂a for the activation ``name`` at pre-activation ``z``."""
    if name == "softmax":
        return softmax_backward(da, z)
    try:
        _, fprime = ELEMENTWISE[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}"
        ) from None
    return np.asarray(da, dtype=np.float64) * fprime(z)
