"""Batch normalisation over the batch (axis 1): each row is one feature.

x: (n, m); gamma, beta, running_mean, running_var: (n, 1).
Train:  μ = mean_m(x), σ² = mean_m((x − μ)²) (biased, 1/m),
        x̂ = (x − μ)/√(σ² + ε),  out = γ x̂ + β,
        running = momentum·running + (1 − momentum)·batch  (Keras' convention).
Test:   x̂ = (x − running_mean)/√(running_var + ε).
"""
from __future__ import annotations

import numpy as np


def batchnorm_forward(x, gamma, beta, bn_param):
    """Returns (out (n, m), cache).

    bn_param: dict with ``mode`` ("train" or "test"), ``eps`` (default 1e-3),
    ``momentum`` (default 0.99, as Keras), ``running_mean`` (default zeros) and
    ``running_var`` (default ones); missing running statistics are created and
    stored back, and training updates them in ``bn_param``.
    """
    x = np.asarray(x, dtype=np.float64)
    gamma = np.asarray(gamma, dtype=np.float64)
    beta = np.asarray(beta, dtype=np.float64)
    n = x.shape[0]
    mode = bn_param.get("mode", "train")
    eps = bn_param.setdefault("eps", 1e-3)
    momentum = bn_param.setdefault("momentum", 0.99)
    running_mean = bn_param.setdefault("running_mean", np.zeros((n, 1)))
    running_var = bn_param.setdefault("running_var", np.ones((n, 1)))
    if mode == "train":
        mean = x.mean(axis=1, keepdims=True)
        var = x.var(axis=1, keepdims=True)
        bn_param["running_mean"] = momentum * running_mean + (1.0 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1.0 - momentum) * var
    elif mode == "test":
        mean, var = np.asarray(running_mean, dtype=np.float64), np.asarray(running_var, dtype=np.float64)
    else:
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}")
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    out = gamma * x_hat + beta
    return out, (mode, x_hat, gamma, inv_std)


def batchnorm_backward(dout, cache):
    """dout: (n, m) -> (dx (n, m), dgamma (n, 1), dbeta (n, 1)).

    Train mode (μ and σ² depend on x):
        dx = (γ/(m√(σ²+ε))) (m·dx̂ − Σ dx̂ − x̂ Σ(dx̂ ⊙ x̂)),  dx̂ = dout ⊙ γ.
    Test mode (fixed statistics): dx = dout ⊙ γ/√(running_var + ε).
    """
    mode, x_hat, gamma, inv_std = cache
    dout = np.asarray(dout, dtype=np.float64)
    dgamma = np.sum(dout * x_hat, axis=1, keepdims=True)
    dbeta = np.sum(dout, axis=1, keepdims=True)
    dx_hat = dout * gamma
    if mode == "test":
        return dx_hat * inv_std, dgamma, dbeta
    m = dout.shape[1]
    dx = (inv_std / m) * (
        m * dx_hat
        - dx_hat.sum(axis=1, keepdims=True)
        - x_hat * np.sum(dx_hat * x_hat, axis=1, keepdims=True)
    )
    return dx, dgamma, dbeta
