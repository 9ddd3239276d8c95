"""Dense layers and the multilayer perceptron: forward and backward passes.

Notation of the lectures, examples as columns:
    z(k) = W(k) a(k−1) + b(k),   a(k) = f(z(k))
    W(k): (n_k, n_{k−1}),  b(k): (n_k, 1),  a(k): (n_k, m).
Backward, with δ(k) = ∂J/∂z(k):
    δ(k) = ∂J/∂a(k) ⊙ f'(z(k)),  ∂J/∂W(k) = δ(k) a(k−1)ᵀ,
    ∂J/∂b(k) = Σ_columns δ(k),   ∂J/∂a(k−1) = W(k)ᵀ δ(k).
"""
from __future__ import annotations

import numpy as np

from .activations import activate, activation_backward


def dense_forward(a_prev, W, b, activation):
    """One layer: a_prev (n_{k−1}, m), W (n_k, n_{k−1}), b (n_k, 1) -> (z, a), both (n_k, m)."""
    a_prev = np.asarray(a_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    z = W @ a_prev + b
    return z, activate(z, activation)


def dense_backward(da, cache, W, activation):
    """Backward through one layer.

    da: (n_k, m) = ∂J/∂a(k); cache = (a_prev, z) from the forward pass;
    W: (n_k, n_{k−1}). Returns (da_prev (n_{k−1}, m), dW (n_k, n_{k−1}), db (n_k, 1)).
    """
    a_prev, z = cache
    delta = activation_backward(da, z, activation)
    dW = delta @ a_prev.T
    db = delta.sum(axis=1, keepdims=True)
    da_prev = np.asarray(W, dtype=np.float64).T @ delta
    return da_prev, dW, db


def mlp_forward(x, params, activations):
    """Forward pass of an MLP.

    x: (n_0, m); params: [(W1, b1), …, (WL, bL)]; activations: one name per layer.
    Returns (y, caches): y = a(L) of shape (n_L, m) and one (a_prev, z) per layer.
    """
    if len(params) != len(activations):
        raise ValueError(
            f"{len(params)} layers of parameters but {len(activations)} activations"
        )
    a = np.asarray(x, dtype=np.float64)
    caches = []
    for (W, b), name in zip(params, activations):
        z, a_next = dense_forward(a, W, b, name)
        caches.append((a, z))
        a = a_next
    return a, caches


def mlp_backward(dy, caches, params, activations):
    """Backward pass of an MLP.

    dy: (n_L, m) = ∂J/∂y with the 1/m already inside; caches from
    :func:`mlp_forward`. Returns [(dW1, db1), …, (dWL, dbL)] with the shapes
    of params.
    """
    grads = []
    da = np.asarray(dy, dtype=np.float64)
    for (W, _), cache, name in reversed(list(zip(params, caches, activations))):
        da, dW, db = dense_backward(da, cache, W, name)
        grads.append((dW, db))
    return grads[::-1]
