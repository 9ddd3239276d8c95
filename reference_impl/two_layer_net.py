"""The lecture's two-layer network: sigmoid hidden layer, linear output, MSE cost."""
from __future__ import annotations

import numpy as np

from .activations import sigmoid, sigmoid_prime
from .losses import mse_loss_grad


class TwoLayerNet:
    """y = W2 σ(W1 x + b1) + b2.

    W1: (n_hidden, n_in), b1: (n_hidden, 1), W2: (n_out, n_hidden), b2: (n_out, 1).
    Weights are drawn from N(0, 1/n_in) and N(0, 1/n_hidden) with
    ``np.random.default_rng(seed)`` (deterministic in ``seed``, symmetry broken);
    biases start at zero.
    """

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        rng = np.random.default_rng(seed)
        self.W1 = rng.standard_normal((n_hidden, n_in)) / np.sqrt(n_in)
        self.b1 = np.zeros((n_hidden, 1))
        self.W2 = rng.standard_normal((n_out, n_hidden)) / np.sqrt(n_hidden)
        self.b2 = np.zeros((n_out, 1))

    def forward(self, x):
        """x: (n_in, m) -> (z1 (n_hidden, m), a1 (n_hidden, m), z2 (n_out, m), y (n_out, m))."""
        x = np.asarray(x, dtype=np.float64)
        z1 = self.W1 @ x + self.b1
        a1 = sigmoid(z1)
        z2 = self.W2 @ a1 + self.b2
        return z1, a1, z2, z2.copy()

    def backward(self, x, t):
        """Gradients of mse_loss(y, t): returns (dW1, db1, dW2, db2), shaped like the parameters.

        δ2 = (y − t)/m,  dW2 = δ2 a1ᵀ,  db2 = Σ δ2,
        δ1 = (W2ᵀ δ2) ⊙ σ'(z1),  dW1 = δ1 xᵀ,  db1 = Σ δ1.
        """
        x = np.asarray(x, dtype=np.float64)
        z1, a1, _, y = self.forward(x)
        delta2 = mse_loss_grad(y, t)
        dW2 = delta2 @ a1.T
        db2 = delta2.sum(axis=1, keepdims=True)
        delta1 = (self.W2.T @ delta2) * sigmoid_prime(z1)
        dW1 = delta1 @ x.T
        db1 = delta1.sum(axis=1, keepdims=True)
        return dW1, db1, dW2, db2

    def gradient_step(self, x, t, eta):
        """One step of gradient descent on mse_loss, in place: θ ← θ − η ∂J/∂θ."""
        dW1, db1, dW2, db2 = self.backward(x, t)
        self.W1 = self.W1 - eta * dW1
        self.b1 = self.b1 - eta * db1
        self.W2 = self.W2 - eta * dW2
        self.b2 = self.b2 - eta * db2
