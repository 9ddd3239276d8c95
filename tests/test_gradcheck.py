"""The gradient-check utilities pass correct gradients and catch a single wrong entry.

Statistical assertions use binomial bounds of 5.3 standard deviations
(two-sided normal tail ≈ 1.2e-7), so a correct implementation fails them
with probability below 1e-6; all seeds are fixed, so each run is identical.
"""
import numpy as np
import pytest

import reference_impl as R
from reference_impl import gradcheck as G

Z = 5.3  # standard deviations: P(|N(0,1)| > 5.3) ≈ 1.2e-7


def _binomial_slack(n, p):
    return Z * np.sqrt(n * p * (1 - p))


def _quadratic(a):
    """f(x) = ½ Σ a x²: centered differences are exact up to rounding, gradient a ⊙ x."""
    return lambda x: 0.5 * float(np.sum(a * x * x))


def _mlp_problem(rng):
    x = rng.standard_normal((4, 9))
    t = rng.standard_normal((2, 9))
    b1 = rng.standard_normal((5, 1))
    W2, b2 = rng.standard_normal((2, 5)), rng.standard_normal((2, 1))
    W1 = rng.standard_normal((5, 4))

    def f(W):
        return R.mse_loss(R.mlp_forward(x, [(W, b1), (W2, b2)], ["tanh", "linear"])[0], t)

    y, caches = R.mlp_forward(x, [(W1, b1), (W2, b2)], ["tanh", "linear"])
    g = R.mlp_backward((y - t) / 9, caches, [(W1, b1), (W2, b2)], ["tanh", "linear"])[0][0]
    return f, W1, g


def test_relative_error_formula():
    a = np.array([1.0, 0.0, -2.0, 0.0])
    b = np.array([1.0, 0.0, 2.0, 1e-13])
    np.testing.assert_array_equal(G.relative_error(a, b), [0.0, 0.0, 1.0, 1e-13 / 1e-12])


def test_numerical_gradient_matches_known_gradient_and_restores_x(rng):
    a = rng.random((3, 4)) + 0.5
    x = rng.standard_normal((3, 4))
    before = x.copy()
    g = R.numerical_gradient(_quadratic(a), x)
    np.testing.assert_allclose(g, a * x, rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(x, before)  # bit-for-bit restored
    assert g.shape == x.shape


def test_numerical_gradient_rejects_non_float64():
    with pytest.raises(TypeError, match="float64"):
        G.numerical_gradient_at(lambda v: 0.0, np.zeros(3, dtype=np.float32), [0])


@pytest.mark.parametrize("method", ["dense", "sampled", "directional"])
def test_correct_gradient_passes(method, rng):
    f, W, g = _mlp_problem(rng)
    if method == "dense":
        r = G.check_gradient(f, W, g)
    elif method == "sampled":
        r = G.check_gradient_sampled(f, W, g, k=8, rng=rng)
    else:
        r = G.check_gradient_directional(f, W, g, k=4, rng=rng)
    assert r.passed, r
    assert r.max_rel_error < 1e-7
    assert r.method == method


@pytest.mark.parametrize("method", ["dense", "sampled", "directional"])
def test_single_wrong_entry_fails(method, rng):
    f, W, g = _mlp_problem(rng)
    wrong = g.copy()
    wrong[2, 1] += 1e-3 * np.abs(g).max()
    if method == "dense":
        r = G.check_gradient(f, W, wrong)
        assert r.worst == np.ravel_multi_index((2, 1), W.shape)
    elif method == "sampled":  # k = N: the wrong entry is always among the sampled ones
        r = G.check_gradient_sampled(f, W, wrong, k=W.size, rng=rng)
        assert r.worst == np.ravel_multi_index((2, 1), W.shape)
    else:
        r = G.check_gradient_directional(f, W, wrong, k=4, rng=rng)
    assert not r.passed
    assert r.max_rel_error > 1e-6


def test_nan_gradient_fails(rng):
    f, W, g = _mlp_problem(rng)
    bad = g.copy()
    bad[0, 0] = np.nan
    r = G.check_gradient(f, W, bad)
    assert not r.passed
    assert r.worst == 0


def test_wrong_shape_is_refused(rng):
    f, W, g = _mlp_problem(rng)
    with pytest.raises(ValueError, match="shape"):
        G.check_gradient(f, W, g.T)


def test_sampled_check_detects_a_single_wrong_entry_with_probability_k_over_n():
    """P(detect) = k/N exactly; the detection rate over many seeds lies within a binomial bound."""
    n_coords, k, trials = 20, 5, 2000
    base = np.random.default_rng(1)
    a = base.random(n_coords) + 0.5
    x = base.standard_normal(n_coords)
    wrong = a * x
    wrong[7] += 1.0  # a gross error in one entry
    detected = sum(
        not G.check_gradient_sampled(_quadratic(a), x, wrong, k=k, rng=np.random.default_rng(s)).passed
        for s in range(trials)
    )
    p = k / n_coords
    assert abs(detected - trials * p) <= _binomial_slack(trials, p), detected


def test_directional_miss_rate_is_below_the_stated_bound():
    """With a loose tolerance (τ = 1e-2) misses are frequent enough to measure; they stay under q."""
    tol, trials = 1e-2, 3000
    base = np.random.default_rng(2)
    a = base.random(50) + 0.5
    x = base.standard_normal(50)
    g = a * x
    i = 11
    e = 0.05 * np.linalg.norm(g)
    q = G.directional_miss_bound(g, i, e, tol=tol)
    assert 0.05 < q < 0.9  # the bound says something non-trivial here
    wrong = g.copy()
    wrong[i] += e
    missed = sum(
        G.check_gradient_directional(_quadratic(a), x, wrong, k=1, rng=np.random.default_rng(s), tol=tol).passed
        for s in range(trials)
    )
    assert missed <= trials * q + _binomial_slack(trials, q), (missed, q)
    assert missed > 0  # the one-direction check really can miss: the bound is not vacuous


def test_directional_check_with_defaults_catches_a_small_error():
    """τ = 1e-6, ‖g‖/|e| = 1e3, k = 4: P(miss) ≤ q⁴ ≈ 3e-12, so 1000 trials all detect."""
    base = np.random.default_rng(3)
    a = base.random(400) + 0.5
    x = base.standard_normal(400)
    g = a * x
    e = 1e-3 * np.linalg.norm(g)
    q = G.directional_miss_bound(g, 5, e)
    assert q**4 < 1e-10
    wrong = g.copy()
    wrong[5] += e
    for s in range(1000):
        assert not G.check_gradient_directional(_quadratic(a), x, wrong, k=4, rng=np.random.default_rng(s)).passed


def test_directional_check_cost_does_not_depend_on_size(rng):
    a = rng.random((100, 100)) + 0.5
    x = rng.standard_normal((100, 100))
    calls = []

    def f(v):
        calls.append(1)
        return _quadratic(a)(v)

    r = G.check_gradient_directional(f, x, a * x, k=3, rng=rng)
    assert r.passed and r.n_evaluations == 6 and len(calls) == 6
