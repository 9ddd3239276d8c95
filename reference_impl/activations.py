"""Activation functions and their derivatives (lecture notation).

Every function takes ``z`` of any shape (in the course: ``(n_k, m)``, one
column per example) and returns an array of the same shape, float64.
Derivatives take ``z`` (the pre-activation), never the activation ``a``.
"""
from __future__ import annotations

import math

import numpy as np

#: SELU's constants, as Keras (and Klambauer et al., 2017) fix them
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805

_SQRT2 = math.sqrt(2.0)
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


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


def softplus(z):
    """softplus(z) = log(1 + e^z), elementwise; z of any shape -> same shape.

    Stable form max(z, 0) + log1p(e^{−|z|}): no overflow for any |z| (log(1 + e^z) is inf past
    z ≈ 709), and log1p keeps full precision where e^z is tiny.
    """
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def softplus_prime(z):
    """softplus'(z) = σ(z)."""
    return sigmoid(z)


def elu(z, alpha=1.0):
    """ELU: z where z > 0, alpha·(e^z − 1) where z ≤ 0 (e^z − 1 as expm1, exact near 0)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def elu_prime(z, alpha=1.0):
    """ELU'(z): 1 where z > 0, alpha·e^z where z ≤ 0 (at z = 0 the z ≤ 0 branch: alpha, as Keras)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def selu(z):
    """SELU(z) = λ·ELU(z, α) with Keras' constants α = 1.6732632423543772, λ = 1.0507009873554805."""
    return SELU_SCALE * elu(z, SELU_ALPHA)


def selu_prime(z):
    """SELU'(z): λ where z > 0, λα·e^z where z ≤ 0 (at z = 0: λα, as Keras)."""
    return SELU_SCALE * elu_prime(z, SELU_ALPHA)


def swish(z):
    """swish(z) = z·σ(z) (Keras' ``silu``/``swish``), elementwise; finite for any |z| (σ is stable)."""
    z = np.asarray(z, dtype=np.float64)
    return z * sigmoid(z)


def swish_prime(z):
    """swish'(z) = σ(z) + z·σ(z)(1 − σ(z))."""
    z = np.asarray(z, dtype=np.float64)
    s = sigmoid(z)
    return s + z * s * (1.0 - s)


def _normal_cdf(z):
    """Φ(z) = ½(1 + erf(z/√2)), computed as ½·erfc(−z/√2) (no cancellation for z ≪ 0, as TF does)."""
    return 0.5 * _erfc(-np.asarray(z, dtype=np.float64) / _SQRT2)


def _normal_pdf(z):
    """φ(z) = e^{−z²/2} / √(2π)."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def gelu(z, approximate=False):
    """GELU, elementwise; z of any shape -> same shape.

    approximate=False: z·Φ(z) = ½z(1 + erf(z/√2)), Φ the standard normal CDF;
    approximate=True: the tanh form ½z(1 + tanh(√(2/π)(z + 0.044715 z³))), as keras.activations.gelu.
    """
    z = np.asarray(z, dtype=np.float64)
    if approximate:
        return 0.5 * z * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (z + 0.044715 * z ** 3)))
    return z * _normal_cdf(z)


def gelu_prime(z):
    """Derivative of the exact GELU: Φ(z) + z·φ(z), φ the standard normal density."""
    z = np.asarray(z, dtype=np.float64)
    return _normal_cdf(z) + z * _normal_pdf(z)


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
