"""Known mistakes in ex11 (Bayesian optimisation), each one error away from the reference.

The loop's variants call the contract functions through ``_ns`` so that a variant of an upstream
function (the kernel, the posterior, EI) is the same one the reference loop would use: a loop
variant changes the loop only.
"""
import numpy as np

from . import bayes_opt as _bo
from .bayes_opt import norm_cdf, norm_pdf, rbf_kernel
from .variants import register


# ------------------------------------------------------------------ kernel
def _sqdist(A, B):
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    diff = A[:, :, None] - B[:, None, :]
    return np.sum(diff * diff, axis=0)


def kernel_length_scale_not_squared(A, B, length_scale, variance):
    """exp(−‖a − b‖²/(2ℓ)): the length scale is not squared."""
    return variance * np.exp(-_sqdist(A, B) / (2.0 * length_scale))


def kernel_no_half(A, B, length_scale, variance):
    """exp(−‖a − b‖²/ℓ²): the factor 2 of the denominator is missing."""
    return variance * np.exp(-_sqdist(A, B) / length_scale ** 2)


def kernel_distance_not_squared(A, B, length_scale, variance):
    """exp(−‖a − b‖/(2ℓ²)): the distance, not its square."""
    return variance * np.exp(-np.sqrt(_sqdist(A, B)) / (2.0 * length_scale ** 2))


def kernel_variance_ignored(A, B, length_scale, variance):
    """exp(−‖a − b‖²/(2ℓ²)) without the factor variance."""
    return np.exp(-_sqdist(A, B) / (2.0 * length_scale ** 2))


# ------------------------------------------------------------------ posterior
def _posterior(X_train, y_train, X_test, length_scale, variance, noise, *, add_noise=True, prior=None,
               second_solve=True, inverse=False, clip=True, std=False, plus_noise=False, kernel=rbf_kernel):
    X_train = np.asarray(X_train, dtype=np.float64)
    X_test = np.asarray(X_test, dtype=np.float64)
    y = np.asarray(y_train, dtype=np.float64).reshape(-1)
    n = X_train.shape[1]
    K = kernel(X_train, X_train, length_scale, variance) + (noise * np.eye(n) if add_noise else 0.0)
    K_s = kernel(X_train, X_test, length_scale, variance)
    if inverse:
        K_inv = np.linalg.inv(K)
        mu = K_s.T @ (K_inv @ y)
        quad = np.sum(K_s * (K_inv @ K_s), axis=0)
    else:
        L = np.linalg.cholesky(K)
        half = np.linalg.solve(L, y)
        alpha = np.linalg.solve(L.T, half) if second_solve else half
        mu = K_s.T @ alpha
        v = np.linalg.solve(L, K_s)
        quad = np.sum(v * v, axis=0)
    var = (variance if prior is None else prior) - quad + (noise if plus_noise else 0.0)
    if clip:
        var = np.maximum(var, 0.0)
    return mu, (np.sqrt(var) if std else var)


def gp_explicit_inverse(X_train, y_train, X_test, length_scale, variance, noise):
    """K⁻¹ formed with np.linalg.inv: mu = K*ᵀ K⁻¹ y, var = variance − Σ K* ⊙ K⁻¹K* (inaccurate when K is
    ill-conditioned)."""
    return _posterior(X_train, y_train, X_test, length_scale, variance, noise, inverse=True)


def gp_no_noise(X_train, y_train, X_test, length_scale, variance, noise):
    """K = k(X, X) without noise·I on its diagonal."""
    return _posterior(X_train, y_train, X_test, length_scale, variance, noise, add_noise=False)


def gp_var_plus_noise(X_train, y_train, X_test, length_scale, variance, noise):
    """var = variance + noise − Σv²: the predictive variance of an observation y, not of the latent f."""
    return _posterior(X_train, y_train, X_test, length_scale, variance, noise, plus_noise=True)


def gp_returns_std(X_train, y_train, X_test, length_scale, variance, noise):
    """Returns (mu, √var): the standard deviation in the variance's place."""
    return _posterior(X_train, y_train, X_test, length_scale, variance, noise, std=True)


def gp_var_not_clipped(X_train, y_train, X_test, length_scale, variance, noise):
    """var = variance − Σv² not clipped at 0 (rounding leaves tiny negative values)."""
    return _posterior(X_train, y_train, X_test, length_scale, variance, noise, clip=False)


def gp_prior_variance_one(X_train, y_train, X_test, length_scale, variance, noise):
    """var = 1 − Σv²: the prior variance k(x, x) taken as 1 instead of variance."""
    return _posterior(X_train, y_train, X_test, length_scale, variance, noise, prior=1.0)


def gp_alpha_one_solve(X_train, y_train, X_test, length_scale, variance, noise):
    """α = L \\ y: the second triangular solve (Lᵀ \\ ·) is missing, so mu = K*ᵀ L⁻¹ y."""
    return _posterior(X_train, y_train, X_test, length_scale, variance, noise, second_solve=False)


# ------------------------------------------------------------------ acquisitions
def _ei(mu, sigma, best, xi, *, imp_of=lambda mu, best, xi: best - mu - xi, swap=False, zero=True):
    mu, sigma = np.asarray(mu, dtype=np.float64), np.asarray(sigma, dtype=np.float64)
    imp = imp_of(mu, best, xi)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = imp / sigma
    cdf, pdf = (norm_pdf(z), norm_cdf(z)) if swap else (norm_cdf(z), norm_pdf(z))
    with np.errstate(invalid="ignore"):
        ei = imp * cdf + sigma * pdf
    return np.where(sigma > 0, ei, 0.0) if zero else ei


def ei_sign_flipped(mu, sigma, best, xi=0.01):
    """imp = mu − best − xi: the maximisation convention, for a loop that minimises."""
    return _ei(mu, sigma, best, xi, imp_of=lambda mu, best, xi: mu - best - xi)


def ei_pdf_cdf_swapped(mu, sigma, best, xi=0.01):
    """EI = imp·φ(Z) + sigma·Φ(Z): the density and the CDF in each other's place."""
    return _ei(mu, sigma, best, xi, swap=True)


def ei_xi_wrong_side(mu, sigma, best, xi=0.01):
    """imp = best − mu + xi: xi added instead of subtracted."""
    return _ei(mu, sigma, best, xi, imp_of=lambda mu, best, xi: best - mu + xi)


def ei_not_zeroed(mu, sigma, best, xi=0.01):
    """No special case for sigma == 0: Z = ±inf there, so EI = imp where imp > 0 (NaN where imp == 0)."""
    return _ei(mu, sigma, best, xi, zero=False)


def pi_minus_z(mu, sigma, best, xi=0.01):
    """PI = Φ(−Z): the probability of getting worse."""
    _, z, _, positive = _bo._improvement_z(mu, sigma, best, xi)
    return np.where(positive, norm_cdf(-z), 0.0)


def pi_not_zeroed(mu, sigma, best, xi=0.01):
    """No special case for sigma == 0: PI = Φ(±inf), 1 where imp > 0."""
    mu, sigma = np.asarray(mu, dtype=np.float64), np.asarray(sigma, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return norm_cdf((best - mu - xi) / sigma)


def ucb_sign(mu, sigma, kappa=2.0):
    """UCB = mu + kappa·sigma: the upper bound of f, which a minimising loop should not maximise."""
    return np.asarray(mu, dtype=np.float64) + kappa * np.asarray(sigma, dtype=np.float64)


# ------------------------------------------------------------------ the loop
def _loop(f, bounds, n_init, n_iter, rng, n_candidates=500, length_scale=0.2, variance=1.0, noise=1e-6, xi=0.01,
          *, init_rows=False, same_candidates=False, standardise=True, raw_best=False, argmin_mean=False,
          unit_box=True, last=False, reevaluate=False, gp=_bo.gp_posterior, ei=_bo.expected_improvement):
    bounds = np.asarray(bounds, dtype=np.float64)
    low, high = bounds[:, :1], bounds[:, 1:2]
    width = high - low
    d = bounds.shape[0]
    X = low + width * (rng.random((n_init, d)).T if init_rows else rng.random((d, n_init)))
    y = [float(f(X[:, i])) for i in range(n_init)]
    fixed = low + width * rng.random((d, n_candidates)) if same_candidates else None
    for _ in range(n_iter):
        C = fixed if same_candidates else low + width * rng.random((d, n_candidates))
        y_arr = np.asarray(y)
        s = float(np.std(y_arr))
        ys = (y_arr - np.mean(y_arr)) / (s if s > 0 else 1.0) if standardise else y_arr
        Xn, Cn = ((X - low) / width, (C - low) / width) if unit_box else (X, C)
        mu, var = gp(Xn, ys, Cn, length_scale, variance, noise)
        if argmin_mean:
            j = int(np.argmin(mu))
        else:
            best = float(np.min(y_arr)) if raw_best else float(np.min(ys))
            j = int(np.argmax(ei(mu, np.sqrt(var), best, xi)))
        x = C[:, j]
        X = np.concatenate([X, x[:, None]], axis=1)
        y.append(float(f(x)))
    y = np.asarray(y, dtype=np.float64)
    i = len(y) - 1 if last else int(np.argmin(y))
    f_best = float(f(X[:, i])) if reevaluate else float(y[i])
    return X[:, i].copy(), f_best, (X, y)


def _loop_variant(doc, **knobs):
    def loop(f, bounds, n_init, n_iter, rng, n_candidates=500, length_scale=0.2, variance=1.0, noise=1e-6,
             xi=0.01):
        return _loop(f, bounds, n_init, n_iter, rng, n_candidates, length_scale, variance, noise, xi, **knobs)
    loop.__doc__ = doc
    return loop


loop_init_rows = _loop_variant(
    "Initial points drawn as rng.random((n_init, d)).T (rows, then transposed) instead of rng.random((d, n_init)).",
    init_rows=True)
loop_same_candidates = _loop_variant(
    "One candidate set drawn before the loop and reused each iteration instead of fresh candidates each time.",
    same_candidates=True)
loop_no_standardise = _loop_variant("The GP is fitted to the raw y instead of the standardised ys.",
                                    standardise=False)
loop_best_raw = _loop_variant("EI's best is min(y) (raw) while the GP is fitted to the standardised ys.",
                              raw_best=True)
loop_argmin_mean = _loop_variant("Proposes the candidate of smallest posterior mean (no exploration) instead of "
                                 "the largest EI.", argmin_mean=True)
loop_no_unit_box = _loop_variant("The GP sees the raw points X, C instead of the points scaled to the unit box.",
                                 unit_box=False)
loop_x_best_last = _loop_variant("Returns the last point evaluated instead of the best one.", last=True)
loop_reevaluates_best = _loop_variant("Calls f(x_best) once more at the end (n_init + n_iter + 1 evaluations).",
                                      reevaluate=True)


# ------------------------------------------------------------------ one upstream mistake, carried downstream
def _chain(kernel=None, gp=None, ei=None) -> dict:
    """A mistake of the kernel, the posterior or EI as the functions that use it see it: the wrong function,
    the right posterior calling the wrong kernel, the right loop calling the wrong posterior / EI (a student's
    posterior and loop call their own kernel, posterior and EI). The grader names the upstream mistake in a
    downstream check and, when that check's own function is right on it, keeps its points (one error, scored
    once)."""
    out = {}
    if kernel is not None:
        out["rbf_kernel"] = kernel

        def gp(X_train, y_train, X_test, length_scale, variance, noise):
            return _posterior(X_train, y_train, X_test, length_scale, variance, noise, kernel=kernel)
    if gp is not None:
        out["gp_posterior"] = gp
    if ei is not None:
        out["expected_improvement"] = ei
    gp_used, ei_used = gp or _bo.gp_posterior, ei or _bo.expected_improvement

    def loop(f, bounds, n_init, n_iter, rng, n_candidates=500, length_scale=0.2, variance=1.0, noise=1e-6, xi=0.01):
        return _loop(f, bounds, n_init, n_iter, rng, n_candidates, length_scale, variance, noise, xi,
                     gp=gp_used, ei=ei_used)
    out["bayes_opt_minimize"] = loop
    return out


#: mistake id -> {contract name: replacement}; ids match autograder/exercises/ex11.py MISTAKES
VARIANTS = {
    "kernel_length_scale_not_squared": _chain(kernel=kernel_length_scale_not_squared),
    "kernel_no_half": _chain(kernel=kernel_no_half),
    "kernel_distance_not_squared": _chain(kernel=kernel_distance_not_squared),
    "kernel_variance_ignored": _chain(kernel=kernel_variance_ignored),
    "gp_explicit_inverse": _chain(gp=gp_explicit_inverse),
    "gp_no_noise": _chain(gp=gp_no_noise),
    "gp_var_plus_noise": _chain(gp=gp_var_plus_noise),
    "gp_returns_std": _chain(gp=gp_returns_std),
    "gp_var_not_clipped": _chain(gp=gp_var_not_clipped),
    "gp_prior_variance_one": _chain(gp=gp_prior_variance_one),
    "gp_alpha_one_solve": _chain(gp=gp_alpha_one_solve),
    "ei_sign_flipped": _chain(ei=ei_sign_flipped),
    "ei_pdf_cdf_swapped": _chain(ei=ei_pdf_cdf_swapped),
    "ei_xi_wrong_side": _chain(ei=ei_xi_wrong_side),
    "ei_not_zeroed": _chain(ei=ei_not_zeroed),
    "pi_minus_z": {"probability_of_improvement": pi_minus_z},
    "pi_not_zeroed": {"probability_of_improvement": pi_not_zeroed},
    "ucb_sign": {"upper_confidence_bound": ucb_sign},
    "loop_init_rows": {"bayes_opt_minimize": loop_init_rows},
    "loop_same_candidates": {"bayes_opt_minimize": loop_same_candidates},
    "loop_no_standardise": {"bayes_opt_minimize": loop_no_standardise},
    "loop_best_raw": {"bayes_opt_minimize": loop_best_raw},
    "loop_argmin_mean": {"bayes_opt_minimize": loop_argmin_mean},
    "loop_no_unit_box": {"bayes_opt_minimize": loop_no_unit_box},
    "loop_x_best_last": {"bayes_opt_minimize": loop_x_best_last},
    "loop_reevaluates_best": {"bayes_opt_minimize": loop_reevaluates_best},
}
register(VARIANTS)
