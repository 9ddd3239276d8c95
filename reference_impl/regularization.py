"""L2 (weight decay) and L1 penalties and the SGD steps they lead to.

Penalties apply to weight matrices only; the caller leaves biases out.
J_reg = J + λ Σ_k Σ_ij W(k)_ij²  ⇒  ∂J_reg/∂W = ∂J/∂W + 2λW
⇒  W ← W(1 − 2ηλ) − η ∂J/∂W.
"""
from __future__ import annotations

import numpy as np


def l2_penalty(weights, lam):
    """λ Σ_k Σ_ij W(k)_ij² over a list of weight matrices. Returns a float."""
    return float(lam * sum(np.sum(np.asarray(W, dtype=np.float64) ** 2) for W in weights))


def l2_grad(W, lam):
    """∂(λ Σ W²)/∂W = 2λW, shaped like W."""
    return 2.0 * lam * np.asarray(W, dtype=np.float64)


def sgd_weight_decay_step(W, dW, eta, lam):
    """W(1 − 2ηλ) − η dW, with dW the gradient of the unregularised cost."""
    W = np.asarray(W, dtype=np.float64)
    return W * (1.0 - 2.0 * eta * lam) - eta * np.asarray(dW, dtype=np.float64)


def l1_penalty(weights, lam):
    """λ Σ_k Σ_ij |W(k)_ij| over a list of weight matrices. Returns a float."""
    return float(lam * sum(np.sum(np.abs(np.asarray(W, dtype=np.float64))) for W in weights))


def l1_grad(W, lam):
    """(Sub)gradient λ sign(W), with sign(0) = 0."""
    return lam * np.sign(np.asarray(W, dtype=np.float64))


def sgd_l1_step(W, dW, eta, lam):
    """W − ηλ sign(W) − η dW."""
    W = np.asarray(W, dtype=np.float64)
    return W - eta * lam * np.sign(W) - eta * np.asarray(dW, dtype=np.float64)


def regularized_update(params, grads, eta, lam):
    """One L2-regularised SGD step on [(W, b), …] with grads [(dW, db), …].

    Weights decay, biases do not: W ← W(1 − 2ηλ) − η dW, b ← b − η db.
    Returns a new list of (W, b) pairs.
    """
    if len(params) != len(grads):
        raise ValueError(f"{len(params)} parameter pairs but {len(grads)} gradient pairs")
    return [
        (sgd_weight_decay_step(W, dW, eta, lam), np.asarray(b, dtype=np.float64) - eta * np.asarray(db, dtype=np.float64))
        for (W, b), (dW, db) in zip(params, grads)
    ]
