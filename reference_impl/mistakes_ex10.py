"""Known mistakes in ex10 (Gaussian noise, Gaussian dropout, layer normalisation), each one error away from the reference."""
import math

import numpy as np

from .noise_norm import gaussian_noise_forward as _gn_forward
from .noise_norm import layernorm_backward as _ln_backward
from .variants import register


def _rng(rng):
    return np.random.default_rng() if rng is None else rng


# ------------------------------------------------------------------ Gaussian noise
def noise_stddev_as_variance(a, stddev, train=True, rng=None):
    """The noise's standard deviation is stddev² (the variance of N(0, stddev²)) instead of stddev."""
    if not train:
        return a, None
    noise = stddev ** 2 * _rng(rng).standard_normal(a.shape)
    return a + noise, noise


def noise_at_test(a, stddev, train=True, rng=None):
    """Noise is added in test mode too (train is ignored)."""
    noise = stddev * _rng(rng).standard_normal(a.shape)
    return a + noise, noise


def noise_ignores_rng(a, stddev, train=True, rng=None):
    """Draws from NumPy's global generator (np.random.normal) instead of ``rng``."""
    if not train:
        return a, None
    noise = np.random.normal(0.0, stddev, size=a.shape)
    return a + noise, noise


def noise_test_zeros(a, stddev, train=True, rng=None):
    """Test mode returns an array of zeros as the noise instead of None."""
    if not train:
        return a, np.zeros_like(a)
    return _gn_forward(a, stddev, train, rng)


def noise_backward_times_noise(dout, noise):
    """The gradient is multiplied by the noise, as if it were a dropout mask (it is added, so ∂out/∂a = 1)."""
    if noise is None:
        return dout
    return dout * noise


# ------------------------------------------------------------------ Gaussian dropout
def _gdropout(a, rate, train, rng, std, mean=1.0):
    if not train:
        return a, None
    mask = mean + std * _rng(rng).standard_normal(a.shape)
    return a * mask, mask


def gdropout_std_rate(a, rate, train=True, rng=None):
    """The mask's standard deviation is rate instead of √(rate/(1 − rate))."""
    return _gdropout(a, rate, train, rng, rate)


def gdropout_variance_as_std(a, rate, train=True, rng=None):
    """The variance rate/(1 − rate) used as the standard deviation (no square root)."""
    return _gdropout(a, rate, train, rng, rate / (1.0 - rate))


def gdropout_std_p_over_1mp_inverted(a, rate, train=True, rng=None):
    """Standard deviation √((1 − rate)/rate): rate read as the keep probability (p/(1 − p) with p = rate)."""
    return _gdropout(a, rate, train, rng, math.sqrt((1.0 - rate) / rate))


def gdropout_mean_zero(a, rate, train=True, rng=None):
    """mask ~ N(0, rate/(1 − rate)): the noise's mean is 0 instead of 1 (additive noise's habit)."""
    return _gdropout(a, rate, train, rng, math.sqrt(rate / (1.0 - rate)), mean=0.0)


def gdropout_at_test(a, rate, train=True, rng=None):
    """The mask is applied in test mode too (train is ignored)."""
    return _gdropout(a, rate, True, rng, math.sqrt(rate / (1.0 - rate)))


def gdropout_ignores_rng(a, rate, train=True, rng=None):
    """Draws from NumPy's global generator (np.random.normal) instead of ``rng``."""
    if not train:
        return a, None
    mask = np.random.normal(1.0, math.sqrt(rate / (1.0 - rate)), size=a.shape)
    return a * mask, mask


def gdropout_backward_no_mask(dout, mask):
    """Gradient passed through unchanged: the mask multiplies the forward pass, so it multiplies the gradient."""
    return dout


# ------------------------------------------------------------------ layer normalisation forward
def _ln(x, gamma, beta, eps, *, axis=0, ddof=0, eps_inside=True):
    """The reference forward with one knob turned; the cache fits the reference backward."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, ddof=ddof, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps) if eps_inside else 1.0 / (np.sqrt(var) + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)


def layernorm_over_batch(x, gamma, beta, eps=1e-3):
    """Statistics over the batch (axis 1, one per feature: batch normalisation) instead of over the features (axis 0)."""
    return _ln(x, gamma, beta, eps, axis=1)


def layernorm_unbiased_var(x, gamma, beta, eps=1e-3):
    """np.var(..., ddof=1): the unbiased 1/(n − 1) variance instead of the biased 1/n."""
    return _ln(x, gamma, beta, eps, ddof=1)


def layernorm_eps_outside_sqrt(x, gamma, beta, eps=1e-3):
    """(x − μ)/(√σ² + ε) instead of (x − μ)/√(σ² + ε)."""
    return _ln(x, gamma, beta, eps, eps_inside=False)


# ------------------------------------------------------------------ layer normalisation backward
def layernorm_backward_no_mean_terms(dout, cache):
    """dx = dx̂/√(σ² + ε) only: the dependence of μ and σ² on x is forgotten."""
    x_hat, gamma, inv_std = cache
    _, dgamma, dbeta = _ln_backward(dout, cache)
    return dout * gamma * inv_std, dgamma, dbeta


def layernorm_backward_no_xhat_term(dout, cache):
    """dx without −x̂·Σ(dx̂ ⊙ x̂): the variance's dependence on x is forgotten."""
    x_hat, gamma, inv_std = cache
    dx_hat = dout * gamma
    n = dout.shape[0]
    dx = (inv_std / n) * (n * dx_hat - dx_hat.sum(axis=0, keepdims=True))
    _, dgamma, dbeta = _ln_backward(dout, cache)
    return dx, dgamma, dbeta


def layernorm_backward_over_batch(dout, cache):
    """Batch normalisation's dx (sums over the batch, axis 1, and m) copied for layer normalisation."""
    x_hat, gamma, inv_std = cache
    dx_hat = dout * gamma
    m = dout.shape[1]
    dx = (inv_std / m) * (m * dx_hat - dx_hat.sum(axis=1, keepdims=True)
                          - x_hat * np.sum(dx_hat * x_hat, axis=1, keepdims=True))
    _, dgamma, dbeta = _ln_backward(dout, cache)
    return dx, dgamma, dbeta


def layernorm_dgamma_no_xhat(dout, cache):
    """dgamma = Σ dout (like dbeta) instead of Σ dout ⊙ x̂."""
    dx, _, dbeta = _ln_backward(dout, cache)
    return dx, np.sum(dout, axis=1, keepdims=True), dbeta


def layernorm_dgamma_wrong_axis(dout, cache):
    """dgamma and dbeta summed over the features (axis 0, shape (1, m)) instead of over the batch (axis 1)."""
    x_hat, gamma, inv_std = cache
    dx, _, _ = _ln_backward(dout, cache)
    return dx, np.sum(dout * x_hat, axis=0, keepdims=True), np.sum(dout, axis=0, keepdims=True)


#: mistake id -> {contract name: replacement}; ids match autograder/exercises/ex10.py MISTAKES
VARIANTS = {
    "noise_stddev_as_variance": {"gaussian_noise_forward": noise_stddev_as_variance},
    "noise_at_test": {"gaussian_noise_forward": noise_at_test},
    "noise_ignores_rng": {"gaussian_noise_forward": noise_ignores_rng},
    "noise_test_zeros": {"gaussian_noise_forward": noise_test_zeros},
    "noise_backward_times_noise": {"gaussian_noise_backward": noise_backward_times_noise},
    "gdropout_std_rate": {"gaussian_dropout_forward": gdropout_std_rate},
    "gdropout_variance_as_std": {"gaussian_dropout_forward": gdropout_variance_as_std},
    "gdropout_std_p_over_1mp_inverted": {"gaussian_dropout_forward": gdropout_std_p_over_1mp_inverted},
    "gdropout_mean_zero": {"gaussian_dropout_forward": gdropout_mean_zero},
    "gdropout_at_test": {"gaussian_dropout_forward": gdropout_at_test},
    "gdropout_ignores_rng": {"gaussian_dropout_forward": gdropout_ignores_rng},
    "gdropout_backward_no_mask": {"gaussian_dropout_backward": gdropout_backward_no_mask},
    "layernorm_over_batch": {"layernorm_forward": layernorm_over_batch},
    "layernorm_unbiased_var": {"layernorm_forward": layernorm_unbiased_var},
    "layernorm_eps_outside_sqrt": {"layernorm_forward": layernorm_eps_outside_sqrt},
    "layernorm_backward_no_mean_terms": {"layernorm_backward": layernorm_backward_no_mean_terms},
    "layernorm_backward_no_xhat_term": {"layernorm_backward": layernorm_backward_no_xhat_term},
    "layernorm_backward_over_batch": {"layernorm_backward": layernorm_backward_over_batch},
    "layernorm_dgamma_no_xhat": {"layernorm_backward": layernorm_dgamma_no_xhat},
    "layernorm_dgamma_wrong_axis": {"layernorm_backward": layernorm_dgamma_wrong_axis},
}
register(VARIANTS)
