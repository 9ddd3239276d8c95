"""Gaussian noise, Gaussian dropout and layer normalisation (SPEC, ex10).

Examples are columns: a, x: (n, m), one example per column.

Gaussian noise (additive, training only; Keras' ``GaussianNoise(stddev)``):
    noise ~ N(0, stddev²) elementwise,  out = a + noise;   test: out = a.
Gaussian dropout (multiplicative, training only; Keras' ``GaussianDropout(rate)``):
    mask ~ N(1, rate/(1 − rate)) elementwise,  out = a ⊙ mask;   test: out = a.
    The variance is that of inverted Bernoulli dropout with keep probability
    p = 1 − rate (Var(mask) = (1 − p)/p), and E[mask] = 1, so no rescaling.
Layer normalisation (each column over its n features, axis 0; the same in
training and test; Keras' ``LayerNormalization(axis=-1)`` on x.T):
    μ = mean_n(x), σ² = mean_n((x − μ)²) (biased, 1/n), both (1, m),
    x̂ = (x − μ)/√(σ² + ε),  out = γ x̂ + β,  γ, β: (n, 1).

Random draws come from ``rng`` (a ``numpy.random.Generator``, default
``np.random.default_rng()``), one ``rng.standard_normal(a.shape)`` per call:
noise = stddev·z, mask = 1 + √(rate/(1 − rate))·z.
"""
from __future__ import annotations

import numpy as np


def gaussian_noise_forward(a, stddev, train=True, rng=None):
    """Additive Gaussian noise.

    a: any shape (in the course (n_k, m)); stddev ≥ 0 the noise's standard
    deviation; rng: a ``numpy.random.Generator`` (default ``np.random.default_rng()``).
    Training: noise = stddev·z with z ~ N(0, 1) of a's shape, out = a + noise,
    so E[out] = a. Test: out = a, noise = None.
    Returns (out, noise), both shaped like a (noise None in test mode).
    """
    if not stddev >= 0.0:
        raise ValueError(f"stddev must be >= 0, got {stddev!r}")
    a = np.asarray(a, dtype=np.float64)
    if not train:
        return a, None
    if rng is None:
        rng = np.random.default_rng()
    noise = stddev * rng.standard_normal(a.shape)
    return a + noise, noise


def gaussian_noise_backward(dout, noise):
    """∂J/∂a = dout: the noise is added, not multiplied (noise, or None, is not used)."""
    return np.asarray(dout, dtype=np.float64)


def gaussian_dropout_forward(a, rate, train=True, rng=None):
    """Gaussian (multiplicative) dropout, as Keras' GaussianDropout.

    a: any shape (in the course (n_k, m)); 0 ≤ rate < 1 the drop rate of the
    Bernoulli dropout it imitates (keep probability 1 − rate); rng as in
    :func:`gaussian_noise_forward`.
    Training: mask = 1 + √(rate/(1 − rate))·z with z ~ N(0, 1) of a's shape,
    i.e. mask ~ N(1, rate/(1 − rate)); out = a ⊙ mask, so E[out] = a.
    Test: out = a, mask = None (no scaling).
    Returns (out, mask), both shaped like a (mask None in test mode).
    """
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"rate must satisfy 0 <= rate < 1, got {rate!r}")
    a = np.asarray(a, dtype=np.float64)
    if not train:
        return a, None
    if rng is None:
        rng = np.random.default_rng()
    mask = 1.0 + np.sqrt(rate / (1.0 - rate)) * rng.standard_normal(a.shape)
    return a * mask, mask


def gaussian_dropout_backward(dout, mask):
    """∂J/∂a = dout ⊙ mask; with mask None (test mode) the gradient passes unchanged."""
    dout = np.asarray(dout, dtype=np.float64)
    if mask is None:
        return dout
    return dout * mask


def layernorm_forward(x, gamma, beta, eps=1e-3):
    """Layer normalisation of each column (one example) over its features (axis 0).

    x: (n, m); gamma, beta: (n, 1); eps ≥ 0 (Keras' default 1e-3).
    μ, σ² (biased, 1/n): (1, m); out = γ ⊙ (x − μ)/√(σ² + ε) + β, (n, m).
    No running statistics: training and test are the same computation.
    Returns (out (n, m), cache) with cache = (x̂, γ, 1/√(σ² + ε)).
    """
    x = np.asarray(x, dtype=np.float64)
    gamma = np.asarray(gamma, dtype=np.float64)
    beta = np.asarray(beta, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (n_features, m), got shape {x.shape}")
    n = x.shape[0]
    if gamma.shape != (n, 1) or beta.shape != (n, 1):
        raise ValueError(f"gamma and beta must have shape ({n}, 1), got {gamma.shape} and {beta.shape}")
    if not eps >= 0.0:
        raise ValueError(f"eps must be >= 0, got {eps!r}")
    mean = x.mean(axis=0, keepdims=True)
    var = x.var(axis=0, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    out = gamma * x_hat + beta
    return out, (x_hat, gamma, inv_std)


def layernorm_backward(dout, cache):
    """dout: (n, m) -> (dx (n, m), dgamma (n, 1), dbeta (n, 1)).

    With dx̂ = dout ⊙ γ and sums over the features (axis 0) of each column:
        dx = (1/(n√(σ²+ε))) (n·dx̂ − Σ_n dx̂ − x̂ Σ_n(dx̂ ⊙ x̂)),
    and, since γ and β are shared by all examples, sums over the batch (axis 1):
        dgamma = Σ_m dout ⊙ x̂,  dbeta = Σ_m dout.
    """
    x_hat, gamma, inv_std = cache
    dout = np.asarray(dout, dtype=np.float64)
    dgamma = np.sum(dout * x_hat, axis=1, keepdims=True)
    dbeta = np.sum(dout, axis=1, keepdims=True)
    dx_hat = dout * gamma
    n = dout.shape[0]
    dx = (inv_std / n) * (
        n * dx_hat
        - dx_hat.sum(axis=0, keepdims=True)
        - x_hat * np.sum(dx_hat * x_hat, axis=0, keepdims=True)
    )
    return dx, dgamma, dbeta
