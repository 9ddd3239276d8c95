"""Numerical gradients by centered differences, and gradient checks built on them.

A gradient check compares an analytic gradient ``g`` (the code under test)
with a centered-difference estimate ``n`` of ∂f/∂x for a scalar function
``f`` of an array ``x`` (float64), through the relative error

    rel(a, b) = |a − b| / max(|a| + |b|, floor)

and passes when the largest relative error is below ``tol`` (1e-6 for smooth
functions). ``floor`` is ``rel_floor`` times the gradient's scale, so that
finite-difference noise (~1e-10 in absolute terms) on entries that are tiny
compared with the largest ones does not fail a correct gradient.

Three checks, by cost:

* :func:`check_gradient` — every coordinate: 2·x.size evaluations of f.
* :func:`check_gradient_sampled` — k coordinates drawn without replacement:
  2k evaluations. A gradient wrong in a single entry (by more than the
  tolerance) is caught with probability exactly k/N, N = x.size.
* :func:`check_gradient_directional` — k random directions z ~ N(0, I):
  compares the directional derivatives g·z with the centered difference of f
  along z; 2k evaluations whatever the size of x. A gradient g' = g + e·e_i
  wrong in a single entry i passes one direction with probability at most

      q = (2/π)·2τ‖g‖ / (|e|(1−τ) − 2τ|g_i|) + √(2/π)·τ·φ‖g'‖/|e|

  (τ = tol, φ = rel_floor, g the true gradient; see
  :func:`directional_miss_bound`), and k independent directions all miss
  with probability at most qᵏ. E.g. τ = 1e-6, φ = 1e-3, ‖g‖/|e| = 1e4 give
  q ≈ 0.013 and, with k = 4, a miss probability below 3e-8.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TOL = 1e-6
REL_FLOOR = 1e-3
TINY = 1e-12


def relative_error(a, b, tiny=TINY):
    """Elementwise |a − b| / max(|a| + |b|, tiny); shapes broadcast, float64."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), tiny)


def numerical_gradient(f, x, h=1e-5):
    """Centered differences of a scalar function at every coordinate.

    f: callable taking x and returning a float; x: float64 array, perturbed
    in place one coordinate at a time and restored exactly, so it holds its
    original values after the call. Returns ∂f/∂x ≈ (f(x+h·e_i) − f(x−h·e_i))/2h,
    shaped like x.
    """
    x = np.asarray(x)
    return numerical_gradient_at(f, x, np.arange(x.size), h).reshape(x.shape)


def numerical_gradient_at(f, x, flat_indices, h=1e-5):
    """Centered differences at the given flat indices only: returns an array of len(flat_indices)."""
    x = np.asarray(x)
    if x.dtype != np.float64:
        raise TypeError(f"x must be a float64 array, got dtype {x.dtype}")
    view = x.reshape(-1)
    if not np.shares_memory(view, x):
        raise ValueError("x must be contiguous so that it can be perturbed in place")
    out = np.empty(len(flat_indices))
    for j, i in enumerate(flat_indices):
        old = view[i]
        view[i] = old + h
        f_plus = float(f(x))
        view[i] = old - h
        f_minus = float(f(x))
        view[i] = old
        out[j] = (f_plus - f_minus) / (2.0 * h)
    return out


def directional_derivative(f, x, direction, h=1e-5):
    """Centered difference of f along ``direction`` (any norm): ≈ ∇f(x)·direction.

    The step is taken along the unit vector, h in length, and rescaled, so the
    finite-difference error does not grow with the size of x. x is not modified.
    """
    x = np.asarray(x, dtype=np.float64)
    d = np.asarray(direction, dtype=np.float64)
    norm = np.linalg.norm(d)
    if norm == 0.0:
        return 0.0
    u = d / norm
    return norm * (float(f(x + h * u)) - float(f(x - h * u))) / (2.0 * h)


@dataclass(frozen=True)
class GradCheck:
    """Outcome of one gradient check.

    method: "dense", "sampled" or "directional"; max_rel_error: the largest
    relative error seen; worst: the flat index (dense, sampled) or direction
    number (directional) where it occurred; n_evaluations: calls to f;
    analytic, numeric: the compared values at ``worst``.
    """

    method: str
    passed: bool
    max_rel_error: float
    worst: int
    n_evaluations: int
    analytic: float
    numeric: float


def _compare(method, analytic, numeric, scale, tol, rel_floor, n_evaluations):
    analytic = np.asarray(analytic, dtype=np.float64).ravel()
    numeric = np.asarray(numeric, dtype=np.float64).ravel()
    floor = max(rel_floor * scale, TINY)
    rel = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), floor)
    # a NaN anywhere is a failure, and is reported as the worst entry
    worst = int(np.argmax(np.where(np.isnan(rel), np.inf, rel))) if rel.size else 0
    max_rel = float(rel[worst]) if rel.size else 0.0
    passed = bool(rel.size == 0 or (np.all(np.isfinite(rel)) and max_rel < tol))
    return GradCheck(
        method, passed, max_rel, worst, n_evaluations,
        float(analytic[worst]) if rel.size else 0.0,
        float(numeric[worst]) if rel.size else 0.0,
    )


def _gradient_array(analytic, x):
    g = np.asarray(analytic, dtype=np.float64)
    if g.shape != np.shape(x):
        raise ValueError(f"analytic gradient has shape {g.shape}, x has shape {np.shape(x)}")
    return g


def check_gradient(f, x, analytic, h=1e-5, tol=TOL, rel_floor=REL_FLOOR):
    """Compare ``analytic`` (shaped like x) with centered differences at every coordinate."""
    x = np.array(x, dtype=np.float64)
    g = _gradient_array(analytic, x)
    numeric = numerical_gradient(f, x, h)
    scale = np.max(np.abs(g), initial=0.0) + np.max(np.abs(numeric), initial=0.0)
    return _compare("dense", g, numeric, scale, tol, rel_floor, 2 * x.size)


def check_gradient_sampled(f, x, analytic, k, rng, h=1e-5, tol=TOL, rel_floor=REL_FLOOR):
    """Compare ``analytic`` with centered differences at k coordinates drawn without replacement.

    ``worst`` in the result is a flat index into x. Detection probability of a
    single wrong entry: k / x.size.
    """
    x = np.array(x, dtype=np.float64)
    g = _gradient_array(analytic, x)
    k = min(int(k), x.size)
    idx = rng.choice(x.size, size=k, replace=False)
    numeric = numerical_gradient_at(f, x, idx, h)
    picked = g.ravel()[idx]
    scale = np.max(np.abs(g), initial=0.0) + np.max(np.abs(numeric), initial=0.0)
    result = _compare("sampled", picked, numeric, scale, tol, rel_floor, 2 * k)
    return GradCheck(result.method, result.passed, result.max_rel_error,
                     int(idx[result.worst]) if k else 0, result.n_evaluations,
                     result.analytic, result.numeric)


def check_gradient_directional(f, x, analytic, k, rng, h=1e-5, tol=TOL, rel_floor=REL_FLOOR):
    """Compare g·z with the centered difference of f along z, for k directions z ~ N(0, I).

    The floor of the relative error is rel_floor·‖g‖ (the standard deviation
    of g·z). Miss probability for a single wrong entry: see
    :func:`directional_miss_bound`.
    """
    x = np.array(x, dtype=np.float64)
    g = _gradient_array(analytic, x)
    analytic_dd = np.empty(k)
    numeric_dd = np.empty(k)
    for j in range(k):
        z = rng.standard_normal(x.shape)
        analytic_dd[j] = np.sum(g * z)
        numeric_dd[j] = directional_derivative(f, x, z, h)
    return _compare("directional", analytic_dd, numeric_dd, float(np.linalg.norm(g)),
                    tol, rel_floor, 2 * k)


def directional_miss_bound(g, i, e, tol=TOL, rel_floor=REL_FLOOR):
    """Upper bound on the probability that one random direction misses a single wrong entry.

    g: the true gradient; the gradient under test is g' = g + e at flat index i.
    Derivation: with z ~ N(0, I) and r = Σ_{j≠i} g_j z_j (independent of z_i),
    a miss needs |e z_i| < τ·max(|g·z| + |g'·z|, φ‖g'‖), hence
    |z_i| < c₁|r| with c₁ = 2τ/(|e|(1−τ) − 2τ|g_i|), or |z_i| < c₂ = τφ‖g'‖/|e|;
    P(|z_i| < c) ≤ c√(2/π) and E|r| ≤ ‖g‖√(2/π) give the bound below.
    Returns 1.0 when the error is too small for the bound to say anything.
    """
    g = np.asarray(g, dtype=np.float64).ravel()
    e = abs(float(e))
    denom = e * (1.0 - tol) - 2.0 * tol * abs(g[i])
    if denom <= 0.0:
        return 1.0
    g_wrong = g.copy()
    g_wrong[i] += e
    q = (2.0 / np.pi) * 2.0 * tol * np.linalg.norm(g) / denom + np.sqrt(2.0 / np.pi) * tol * rel_floor * np.linalg.norm(g_wrong) / e
    return float(min(q, 1.0))
