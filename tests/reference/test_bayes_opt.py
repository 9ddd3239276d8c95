"""The ex11 reference (reference_impl.bayes_opt) proven against scikit-learn and SciPy.

* ``rbf_kernel`` and ``gp_posterior`` against scikit-learn's ``ConstantKernel(variance) * RBF(length_scale)`` and
  ``GaussianProcessRegressor(alpha=noise, optimizer=None)`` (fixed hyper-parameters, no normalisation):
  kernel, posterior mean and variance (``std²``) to 1e-10, d = 1, 2, 3, on random inputs.
* EI, PI, UCB against the formulas written with ``scipy.stats.norm`` (the reference uses ``math.erf``).
* An ill-conditioned K (two points 1e-5 apart, noise 1e-10): Cholesky forms agree with the reference to
  rtol 1e-8, an explicit inverse does not (the check ``ex11.gp_illcond``).
* The loop: the contract's draw order, deterministic in the seed, and it finds the minimum where random
  search with the same budget usually does not. Measured over 400 random instances and seeds each with
  ``python tests/reference/test_bayes_opt.py 400`` (tolerances of ``autograder.exercises.ex11.PROBLEMS``)::

      wave:      3 + 9 = 12 evaluations, tol 0.002: loop misses 0/400 (worst gap 0.00136, median 4.5e-05);
                 random search reaches it 58/400 (median gap 0.0334)
      quadratic: 5 + 25 = 30 evaluations, tol 0.075: loop misses 0/400 (worst gap 0.0526, median 0.0083);
                 random search reaches it 132/400 (median gap 0.155)
      branin:    5 + 35 = 40 evaluations, tol 0.06: loop misses 0/400 (worst gap 0.0406, median 0.0053);
                 random search reaches it 144/400 (median gap 0.091)

  The tests below re-measure 20 instances each: the loop must miss none, and random search must miss more than
  half of them.
"""
import sys

import numpy as np
import pytest

from reference_impl import bayes_opt as bo

# scikit-learn (and SciPy with it) are in the instructor install (`.[all]`): these proofs always run
import scipy.linalg as linalg  # noqa: E402
import scipy.stats as stats  # noqa: E402
import sklearn.gaussian_process as sklearn_gp  # noqa: E402


def _sk_gp(length_scale, variance, noise):
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel

    kernel = ConstantKernel(variance, constant_value_bounds="fixed") * RBF(length_scale, length_scale_bounds="fixed")
    return kernel, sklearn_gp.GaussianProcessRegressor(kernel=kernel, alpha=noise, optimizer=None)


CASES = [(d, seed) for d in (1, 2, 3) for seed in range(3)]


@pytest.mark.parametrize("d,seed", CASES)
def test_rbf_kernel_matches_sklearn(d, seed):
    g = np.random.default_rng(seed)
    A, B = g.uniform(-1, 1, (d, 7)), g.uniform(-1, 1, (d, 5))
    ls, var = g.uniform(0.2, 1.5), g.uniform(0.5, 3.0)
    kernel, _ = _sk_gp(ls, var, 1e-6)
    np.testing.assert_allclose(bo.rbf_kernel(A, B, ls, var), kernel(A.T, B.T), rtol=1e-10, atol=1e-14)
    assert bo.rbf_kernel(A, B, ls, var).shape == (7, 5)


@pytest.mark.parametrize("d,seed", CASES)
@pytest.mark.parametrize("noise", [1e-1, 1e-3, 1e-6])
def test_gp_posterior_matches_sklearn(d, seed, noise):
    g = np.random.default_rng(100 + seed)
    n, k = 6 + 2 * d, 9
    X = g.uniform(0, 1, (d, n))
    y = np.sin(3 * X).sum(axis=0) + 0.1 * g.standard_normal(n)
    X_test = np.concatenate([g.uniform(0, 1, (d, k)), X[:, :2]], axis=1)
    ls, var = g.uniform(0.2, 0.6), g.uniform(0.5, 2.5)
    _, model = _sk_gp(ls, var, noise)
    model.fit(X.T, y)
    mean, std = model.predict(X_test.T, return_std=True)
    mu, v = bo.gp_posterior(X, y, X_test, ls, var, noise)
    assert mu.shape == v.shape == (k + 2,)
    np.testing.assert_allclose(mu, mean, rtol=1e-10, atol=1e-10 * np.max(np.abs(mean)))
    np.testing.assert_allclose(v, std ** 2, rtol=1e-10, atol=1e-10 * var)
    assert np.all(v >= 0) and np.all(v[-2:] <= noise)  # at a training point var ≤ noise·var/(var + noise)


def test_variance_is_clipped_at_zero():
    X = np.linspace(0, 1, 20)[None, :]
    _, v = bo.gp_posterior(X, np.cos(4 * X[0]), X, 0.1, 10.0, 0.0)
    assert np.all(v >= 0)


def _inv_posterior(X, y, X_test, ls, var, noise):
    K_inv = np.linalg.inv(bo.rbf_kernel(X, X, ls, var) + noise * np.eye(X.shape[1]))
    K_s = bo.rbf_kernel(X, X_test, ls, var)
    return K_s.T @ (K_inv @ y), np.maximum(var - np.sum(K_s * (K_inv @ K_s), axis=0), 0)


def _cho_posterior(X, y, X_test, ls, var, noise):
    K = bo.rbf_kernel(X, X, ls, var) + noise * np.eye(X.shape[1])
    c = linalg.cho_factor(K, lower=True)
    K_s = bo.rbf_kernel(X, X_test, ls, var)
    w = linalg.solve_triangular(c[0], K_s, lower=True)
    return K_s.T @ linalg.cho_solve(c, y), np.maximum(var - np.sum(w * w, axis=0), 0)


def _close(got, expected, rtol=1e-8):
    return bool(np.all(np.abs(got - expected) <= 1e-10 * np.max(np.abs(expected)) + rtol * np.abs(expected)))


def _loop_posterior(X, y, X_test, ls, var, noise):
    """Forward and back substitution written as loops (a student's own triangular solves)."""
    K = bo.rbf_kernel(X, X, ls, var) + noise * np.eye(X.shape[1])
    L = np.linalg.cholesky(K)
    n = L.shape[0]

    def forward(b):
        x = np.zeros_like(b, dtype=float)
        for i in range(n):
            x[i] = (b[i] - L[i, :i] @ x[:i]) / L[i, i]
        return x

    def back(b):
        x = np.zeros_like(b, dtype=float)
        for i in reversed(range(n)):
            x[i] = (b[i] - L[i + 1:, i] @ x[i + 1:]) / L[i, i]
        return x

    K_s = bo.rbf_kernel(X, X_test, ls, var)
    v = forward(K_s)
    return K_s.T @ back(forward(y)), np.maximum(var - np.sum(v * v, axis=0), 0)


@pytest.mark.parametrize("seed", range(16))
def test_ill_conditioned_case_separates_the_explicit_inverse(seed):
    """The grader's gp_illcond case (two points 1e-5 apart, noise 1e-10), compared at the project's rtol 1e-6
    (atol 1e-10·max|var|): Cholesky forms agree, K⁻¹ does not (at rtol 1e-8 scipy's cho_solve itself differs
    from np.linalg.solve on L on some seeds, by 2e-8 relative in var)."""
    g = np.random.default_rng(seed)
    X = g.uniform(0, 1, (1, 8))
    X[0, 1] = X[0, 0] + 1e-5
    y, X_test = np.sin(6 * X[0]), np.concatenate([g.uniform(0, 1, (1, 12)), X], axis=1)
    mu, v = bo.gp_posterior(X, y, X_test, 0.3, 1.0, 1e-10)
    for form in (_cho_posterior, _loop_posterior):
        cmu, cv = form(X, y, X_test, 0.3, 1.0, 1e-10)
        assert _close(cmu, mu, 1e-6) and _close(cv, v, 1e-6), form.__name__
    imu, iv = _inv_posterior(X, y, X_test, 0.3, 1.0, 1e-10)
    assert not _close(iv, v, 1e-6)


def _acq_inputs(seed):
    g = np.random.default_rng(seed)
    mu, sigma = g.normal(0, 1, 30), g.uniform(0.01, 2.0, 30)
    sigma[:4] = 0.0
    return mu, sigma, float(g.uniform(-1, 1)), float(g.choice([0.0, 0.01, 0.1]))


@pytest.mark.parametrize("seed", range(5))
def test_acquisitions_match_scipy(seed):
    mu, sigma, best, xi = _acq_inputs(seed)
    norm = stats.norm
    pos = sigma > 0
    z = (best - mu[pos] - xi) / sigma[pos]
    ei = np.zeros_like(mu)
    ei[pos] = (best - mu[pos] - xi) * norm.cdf(z) + sigma[pos] * norm.pdf(z)
    pi = np.zeros_like(mu)
    pi[pos] = norm.cdf(z)
    np.testing.assert_allclose(bo.expected_improvement(mu, sigma, best, xi), ei, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(bo.probability_of_improvement(mu, sigma, best, xi), pi, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(bo.upper_confidence_bound(mu, sigma, 1.7), -mu + 1.7 * sigma)
    assert np.all(bo.expected_improvement(mu, sigma, best, xi)[:4] == 0)
    assert np.all(bo.expected_improvement(mu, sigma, best, xi) >= 0)


# ------------------------------------------------------------------ the loop
def _problem(problem, seed):
    from autograder.exercises.ex11 import draw_problem
    from autograder.sandbox import catalog

    g = np.random.default_rng(seed)
    name, params, bounds = draw_problem(problem, g)
    return catalog.build(name, params), bounds, int(g.integers(2**31))


def test_loop_draw_order_and_determinism():
    from autograder.sandbox import catalog

    f = catalog.build("bo_quadratic", {"center": np.array([0.2, -0.4]), "weights": np.array([1.0, 2.0])})
    bounds = np.array([[-1.0, 1.0], [-2.0, 0.5]])
    x_best, f_best, (X, y) = bo.bayes_opt_minimize(f, bounds, 4, 5, np.random.default_rng(3), n_candidates=50)
    again = bo.bayes_opt_minimize(f, bounds, 4, 5, np.random.default_rng(3), n_candidates=50)
    np.testing.assert_array_equal(X, again[2][0])
    assert X.shape == (2, 9) and y.shape == (9,) and x_best.shape == (2,)
    rng = np.random.default_rng(3)
    low, width = bounds[:, :1], bounds[:, 1:] - bounds[:, :1]
    np.testing.assert_array_equal(X[:, :4], low + width * rng.random((2, 4)))
    for i in range(5):  # every proposal is one of that iteration's fresh candidates
        C = low + width * rng.random((2, 50))
        assert np.any(np.all(C == X[:, 4 + i:5 + i], axis=0))
    np.testing.assert_array_equal(y, [f(X[:, i]) for i in range(9)])
    assert f_best == y.min() and np.array_equal(x_best, X[:, np.argmin(y)])
    catalog.take_calls()


def _measure(problem, seeds):
    gaps, random_gaps = [], []
    for seed in seeds:
        f, bounds, loop_seed = _problem(problem, seed)
        n = problem.n_init + problem.n_iter
        gaps.append(bo.bayes_opt_minimize(f, bounds, problem.n_init, problem.n_iter,
                                          np.random.default_rng(loop_seed))[1] - problem.f_min)
        r = np.random.default_rng(10**6 + seed)
        P = bounds[:, :1] + (bounds[:, 1:] - bounds[:, :1]) * r.random((bounds.shape[0], n))
        random_gaps.append(min(f(P[:, i]) for i in range(n)) - problem.f_min)
    return np.array(gaps), np.array(random_gaps)


@pytest.mark.parametrize("index", range(3))
def test_loop_beats_random_search(index):
    from autograder.exercises.ex11 import PROBLEMS

    problem = PROBLEMS[index]
    gaps, random_gaps = _measure(problem, range(20))
    assert np.all(gaps <= problem.tol), (problem.id, gaps.max())
    assert np.mean(random_gaps > problem.tol) > 0.5, (problem.id, np.mean(random_gaps > problem.tol))


def test_true_minima():
    from autograder.exercises.ex11 import PROBLEMS
    from autograder.sandbox import catalog

    wave = catalog.build("bo_wave", {"shift": np.array([0.0])})
    xs = np.linspace(-1, 2, 300001)
    assert min(wave(np.array([x])) for x in xs[::100]) >= PROBLEMS[0].f_min
    assert abs(min(np.sin(3 * xs) + xs ** 2 - 0.7 * xs) - PROBLEMS[0].f_min) < 1e-9
    branin = catalog.build("bo_branin", {"shift": np.zeros(2), "scale": np.array([10.0])})
    assert abs(branin(np.array([np.pi, 2.275])) - PROBLEMS[2].f_min) < 1e-12
    catalog.take_calls()


if __name__ == "__main__":  # the measurement quoted above and in autograder/exercises/ex11.py
    from autograder.exercises.ex11 import PROBLEMS

    N = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    for p in PROBLEMS:
        gb, gr = _measure(p, range(N))
        print(f"{p.id}: {p.n_init} + {p.n_iter} = {p.n_init + p.n_iter} evaluations, tol {p.tol:g}: loop misses "
              f"{np.sum(gb > p.tol)}/{N} (worst gap {gb.max():.3g}, median {np.median(gb):.2g}); random search "
              f"reaches it {np.sum(gr <= p.tol)}/{N} (median gap {np.median(gr):.3g})")
