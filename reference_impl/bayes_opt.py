"""Bayesian optimisation from scratch: a Gaussian-process surrogate, acquisitions and the loop (ex11).

Contract: ``docs/contract-ex11.md``. Points are **columns**: A (d, n_a), B (d, n_b),
X_train (d, n), X_test (d, k); y_train (n,); mu, var, sigma and acquisition values (k,);
bounds (d, 2), one row [low, high] per dimension. The loop **minimises** f; the
acquisitions are **maximised** (the next point is where the acquisition is largest).

Gaussian process (zero prior mean, RBF kernel, observation noise ``noise`` on the training
diagonal only), posterior of the latent f at X_test::

    K = k(X, X) + noise·I,  L = cholesky(K),  α = Lᵀ \\ (L \\ y),  K* = k(X, X_test)  (n, k)
    mu = K*ᵀ α,  v = L \\ K*,  var = max(variance − Σ_rows v², 0)

NumPy and ``math`` only: it is proven against scikit-learn's GaussianProcessRegressor and
``scipy.stats.norm`` by ``tests/reference/test_bayes_opt.py``.
"""
from __future__ import annotations

import math

import numpy as np

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_erf = np.vectorize(math.erf, otypes=[np.float64])


def norm_cdf(z):
    """Φ(z), the standard normal CDF, elementwise (via math.erf; ±inf give 1 and 0)."""
    z = np.asarray(z, dtype=np.float64)
    return 0.5 * (1.0 + _erf(z / _SQRT2))


def norm_pdf(z):
    """φ(z), the standard normal density, elementwise."""
    z = np.asarray(z, dtype=np.float64)
    return _INV_SQRT_2PI * np.exp(-0.5 * z * z)


def rbf_kernel(A, B, length_scale, variance):
    """K[i, j] = variance · exp(−‖A[:, i] − B[:, j]‖² / (2 · length_scale²)).

    A: (d, n_a), B: (d, n_b) (points as columns); returns K (n_a, n_b).
    """
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    diff = A[:, :, None] - B[:, None, :]  # (d, n_a, n_b)
    sq = np.sum(diff * diff, axis=0)
    return variance * np.exp(-sq / (2.0 * length_scale ** 2))


def gp_posterior(X_train, y_train, X_test, length_scale, variance, noise):
    """Posterior mean and variance of the latent f at the columns of X_test.

    X_train: (d, n), y_train: (n,), X_test: (d, k); noise: the observation-noise variance
    added to the training covariance's diagonal. Returns (mu (k,), var (k,)), var ≥ 0
    (clipped), without the observation noise (as scikit-learn's ``predict(…, return_std=True)``).
    Solved with the Cholesky factor of K; K⁻¹ is never formed.
    """
    X_train = np.asarray(X_train, dtype=np.float64)
    X_test = np.asarray(X_test, dtype=np.float64)
    y = np.asarray(y_train, dtype=np.float64).reshape(-1)
    n = X_train.shape[1]
    K = rbf_kernel(X_train, X_train, length_scale, variance) + noise * np.eye(n)
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    K_s = rbf_kernel(X_train, X_test, length_scale, variance)  # (n, k)
    mu = K_s.T @ alpha
    v = np.linalg.solve(L, K_s)
    var = variance - np.sum(v * v, axis=0)
    return mu, np.maximum(var, 0.0)


def _improvement_z(mu, sigma, best, xi):
    mu = np.asarray(mu, dtype=np.float64)
    sigma = np.asarray(sigma, dtype=np.float64)
    imp = best - mu - xi
    positive = sigma > 0
    z = np.divide(imp, sigma, out=np.zeros_like(imp), where=positive)
    return imp, z, sigma, positive


def expected_improvement(mu, sigma, best, xi=0.01):
    """EI = imp·Φ(Z) + sigma·φ(Z), imp = best − mu − xi, Z = imp/sigma; 0 where sigma == 0.

    mu, sigma: (k,); best: the smallest value seen so far (minimisation). Returns (k,), ≥ 0.
    """
    imp, z, sigma, positive = _improvement_z(mu, sigma, best, xi)
    ei = imp * norm_cdf(z) + sigma * norm_pdf(z)
    return np.where(positive, ei, 0.0)


def probability_of_improvement(mu, sigma, best, xi=0.01):
    """PI = Φ((best − mu − xi)/sigma); 0 where sigma == 0. mu, sigma: (k,); returns (k,)."""
    _, z, _, positive = _improvement_z(mu, sigma, best, xi)
    return np.where(positive, norm_cdf(z), 0.0)


def upper_confidence_bound(mu, sigma, kappa=2.0):
    """UCB = −mu + kappa·sigma, the negative of the lower confidence bound (maximised). Returns (k,)."""
    return -np.asarray(mu, dtype=np.float64) + kappa * np.asarray(sigma, dtype=np.float64)


def bayes_opt_minimize(f, bounds, n_init, n_iter, rng, n_candidates=500, length_scale=0.2, variance=1.0,
                       noise=1e-6, xi=0.01):
    """Minimise f over the box ``bounds`` (d, 2) by Bayesian optimisation with expected improvement.

    f(x): x (d,) -> float. rng: a ``numpy.random.Generator``, drawn from exactly in this order:
    ``rng.random((d, n_init))`` for the initial points, then ``rng.random((d, n_candidates))``
    for each iteration's fresh candidates. Each iteration fits the GP to the observations
    standardised (ys = (y − mean)/std, std 1 when it is 0) on the points scaled to the unit
    box, and evaluates f at the candidate of largest EI (the first on ties), with best = min(ys).
    Returns (x_best (d,), f_best, (X (d, n_init + n_iter), y (n_init + n_iter,))).
    """
    bounds = np.asarray(bounds, dtype=np.float64)
    low, high = bounds[:, :1], bounds[:, 1:2]  # (d, 1)
    width = high - low
    d = bounds.shape[0]
    X = low + width * rng.random((d, n_init))
    y = [float(f(X[:, i])) for i in range(n_init)]
    for _ in range(n_iter):
        C = low + width * rng.random((d, n_candidates))
        y_arr = np.asarray(y)
        s = float(np.std(y_arr))
        ys = (y_arr - np.mean(y_arr)) / (s if s > 0 else 1.0)
        mu, var = gp_posterior((X - low) / width, ys, (C - low) / width, length_scale, variance, noise)
        ei = expected_improvement(mu, np.sqrt(var), float(np.min(ys)), xi)
        x = C[:, int(np.argmax(ei))]
        X = np.concatenate([X, x[:, None]], axis=1)
        y.append(float(f(x)))
    y = np.asarray(y, dtype=np.float64)
    i = int(np.argmin(y))
    return X[:, i].copy(), float(y[i]), (X, y)
