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


def noise_sqrt_stddev(a, stddev, train=True, rng=None):
    """The noise's standard deviation is √stddev (stddev read as the variance) instead of stddev."""
    if not train:
        return a, None
    noise = np.sqrt(stddev) * _rng(rng).standard_normal(a.shape)
    return a + noise, noise


def noise_uniform(a, stddev, train=True, rng=None):
    """noise = stddev · rng.random(a.shape): uniform on [0, stddev) (mean stddev/2) instead of N(0, stddev²)."""
    if not train:
        return a, None
    noise = stddev * _rng(rng).random(a.shape)
    return a + noise, noise


def noise_multiplied(a, stddev, train=True, rng=None):
    """out = a ⊙ noise: the noise multiplies the activations (a mask's habit) instead of being added."""
    if not train:
        return a, None
    noise = stddev * _rng(rng).standard_normal(a.shape)
    return a * noise, noise


def noise_one_draw(a, stddev, train=True, rng=None):
    """One scalar draw (no size argument) added to every entry instead of one draw per entry."""
    if not train:
        return a, None
    noise = stddev * _rng(rng).standard_normal()
    return a + noise, noise


def noise_per_example(a, stddev, train=True, rng=None):
    """One draw per example, shape (1, m), broadcast over the units, instead of one per entry."""
    if not train:
        return a, None
    noise = stddev * _rng(rng).standard_normal((1,) + a.shape[1:])
    return a + noise, noise


def noise_train_inverted(a, stddev, train=True, rng=None):
    """The train flag is read backwards: noise in test mode, a unchanged and None in training."""
    if train:
        return a, None
    noise = stddev * _rng(rng).standard_normal(a.shape)
    return a + noise, noise


def noise_backward_adds_noise(dout, noise):
    """The gradient has the noise added to it, as in the forward pass (the noise is a constant: ∂out/∂a = 1)."""
    if noise is None:
        return dout
    return dout + noise


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


def gdropout_std_sqrt_rate(a, rate, train=True, rng=None):
    """The mask's standard deviation is √rate (variance rate) instead of √(rate/(1 − rate))."""
    return _gdropout(a, rate, train, rng, math.sqrt(rate))


def gdropout_std_bernoulli(a, rate, train=True, rng=None):
    """Standard deviation √(rate(1 − rate)), a Bernoulli(rate) draw's, instead of √(rate/(1 − rate))."""
    return _gdropout(a, rate, train, rng, math.sqrt(rate * (1.0 - rate)))


def gdropout_mask_added(a, rate, train=True, rng=None):
    """out = a + mask: the mask is added (additive noise's habit) instead of multiplying a."""
    if not train:
        return a, None
    mask = 1.0 + math.sqrt(rate / (1.0 - rate)) * _rng(rng).standard_normal(a.shape)
    return a + mask, mask


def gdropout_one_draw(a, rate, train=True, rng=None):
    """One scalar draw (no size argument) multiplies every entry instead of one draw per entry."""
    if not train:
        return a, None
    mask = 1.0 + math.sqrt(rate / (1.0 - rate)) * _rng(rng).standard_normal()
    return a * mask, mask


def gdropout_per_example(a, rate, train=True, rng=None):
    """One draw per example, shape (1, m), broadcast over the units, instead of one per entry."""
    if not train:
        return a, None
    mask = 1.0 + math.sqrt(rate / (1.0 - rate)) * _rng(rng).standard_normal((1,) + a.shape[1:])
    return a * mask, mask


def gdropout_train_inverted(a, rate, train=True, rng=None):
    """The train flag is read backwards: the mask in test mode, a unchanged and None in training."""
    return _gdropout(a, rate, not train, rng, math.sqrt(rate / (1.0 - rate)))


def gdropout_test_ones(a, rate, train=True, rng=None):
    """Test mode returns an array of ones as the mask instead of None."""
    if not train:
        return a, np.ones_like(a)
    return _gdropout(a, rate, train, rng, math.sqrt(rate / (1.0 - rate)))


def gdropout_backward_no_mask(dout, mask):
    """Gradient passed through unchanged: the mask multiplies the forward pass, so it multiplies the gradient."""
    return dout


def gdropout_backward_mask_squared(dout, mask):
    """The gradient is multiplied by the mask squared (mask applied twice) instead of once."""
    if mask is None:
        return dout
    return dout * mask ** 2


def gdropout_backward_divides(dout, mask):
    """The gradient is divided by the mask (inverted dropout's 1/p habit) instead of multiplied by it."""
    if mask is None:
        return dout
    return dout / mask


# ------------------------------------------------------------------ layer normalisation forward
def _ln(x, gamma, beta, eps, *, axis=0, ddof=0, eps_inside=True, center=True, center_var=True, sqrt=True,
        affine=lambda gamma, x_hat, beta: gamma * x_hat + beta):
    """The reference forward with one knob turned; the cache fits the reference backward."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, ddof=ddof, keepdims=True) if center_var else np.mean(x ** 2, axis=axis, keepdims=True)
    if not sqrt:
        inv_std = 1.0 / (var + eps)
    else:
        inv_std = 1.0 / np.sqrt(var + eps) if eps_inside else 1.0 / (np.sqrt(var) + eps)
    x_hat = ((x - mean) if center else x) * inv_std
    return affine(gamma, x_hat, beta), (x_hat, gamma, inv_std)


def layernorm_over_batch(x, gamma, beta, eps=1e-3):
    """Statistics over the batch (axis 1, one per feature: batch normalisation) instead of over the features (axis 0)."""
    return _ln(x, gamma, beta, eps, axis=1)


def layernorm_unbiased_var(x, gamma, beta, eps=1e-3):
    """np.var(..., ddof=1): the unbiased 1/(n − 1) variance instead of the biased 1/n."""
    return _ln(x, gamma, beta, eps, ddof=1)


def layernorm_eps_outside_sqrt(x, gamma, beta, eps=1e-3):
    """(x − μ)/(√σ² + ε) instead of (x − μ)/√(σ² + ε)."""
    return _ln(x, gamma, beta, eps, eps_inside=False)


def layernorm_no_eps(x, gamma, beta, eps=1e-3):
    """(x − μ)/√σ²: ε is left out (the eps argument is ignored) instead of (x − μ)/√(σ² + ε)."""
    return _ln(x, gamma, beta, 0.0)


def layernorm_no_sqrt(x, gamma, beta, eps=1e-3):
    """(x − μ)/(σ² + ε): divided by the variance instead of the standard deviation √(σ² + ε)."""
    return _ln(x, gamma, beta, eps, sqrt=False)


def layernorm_no_centering(x, gamma, beta, eps=1e-3):
    """x/√(σ² + ε): the mean is not subtracted from x (it is from the variance)."""
    return _ln(x, gamma, beta, eps, center=False)


def layernorm_var_uncentered(x, gamma, beta, eps=1e-3):
    """σ² = mean(x²) (E[x²], the mean not subtracted) instead of mean((x − μ)²)."""
    return _ln(x, gamma, beta, eps, center_var=False)


def layernorm_gamma_beta_swapped(x, gamma, beta, eps=1e-3):
    """out = β ⊙ x̂ + γ: the scale and the shift swapped."""
    return _ln(x, gamma, beta, eps, affine=lambda g, x_hat, b: b * x_hat + g)


def layernorm_minus_beta(x, gamma, beta, eps=1e-3):
    """out = γ ⊙ x̂ − β: the shift subtracted instead of added."""
    return _ln(x, gamma, beta, eps, affine=lambda g, x_hat, b: g * x_hat - b)


def layernorm_returns_xhat(x, gamma, beta, eps=1e-3):
    """out = x̂: the normalised input returned, γ and β never applied."""
    return _ln(x, gamma, beta, eps, affine=lambda g, x_hat, b: x_hat)


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


def layernorm_backward_no_1_over_n(dout, cache):
    """dx without the factor 1/n: (1/√(σ² + ε)) (n dx̂ − Σ dx̂ − x̂ Σ(dx̂ ⊙ x̂))."""
    x_hat, gamma, inv_std = cache
    dx, dgamma, dbeta = _ln_backward(dout, cache)
    return dx * dout.shape[0], dgamma, dbeta


def layernorm_backward_no_gamma(dout, cache):
    """dx̂ = dout: the factor γ of out = γ ⊙ x̂ + β is left out of dx (dgamma and dbeta right)."""
    x_hat, gamma, inv_std = cache
    dx, _, _ = _ln_backward(dout, (x_hat, np.ones_like(gamma), inv_std))
    _, dgamma, dbeta = _ln_backward(dout, cache)
    return dx, dgamma, dbeta


def layernorm_dbeta_wrong_axis(dout, cache):
    """dbeta summed over the features (axis 0, shape (1, m)) instead of over the batch (axis 1); dgamma right."""
    dx, dgamma, _ = _ln_backward(dout, cache)
    return dx, dgamma, np.sum(dout, axis=0, keepdims=True)


def layernorm_param_grads_mean(dout, cache):
    """dgamma and dbeta averaged over the batch (divided by m) instead of summed."""
    dx, dgamma, dbeta = _ln_backward(dout, cache)
    m = dout.shape[1]
    return dx, dgamma / m, dbeta / m


def layernorm_grads_swapped(dout, cache):
    """Returns (dx, dbeta, dgamma): the two parameter gradients in each other's place."""
    dx, dgamma, dbeta = _ln_backward(dout, cache)
    return dx, dbeta, dgamma


def layernorm_forward_caching_x(x, gamma, beta, eps=1e-3):
    """The reference forward (right out), whose cache also holds x, for layernorm_dgamma_with_x."""
    out, (x_hat, gamma_, inv_std) = _ln(x, gamma, beta, eps)
    return out, (x_hat, gamma_, inv_std, np.asarray(x, dtype=np.float64))


def layernorm_dgamma_with_x(dout, cache):
    """dgamma = Σ dout ⊙ x (the input) instead of Σ dout ⊙ x̂ (the normalised input)."""
    x_hat, gamma, inv_std, x = cache
    dx, _, dbeta = _ln_backward(dout, (x_hat, gamma, inv_std))
    return dx, np.sum(dout * x, axis=1, keepdims=True), dbeta


#: mistake id -> {contract name: replacement}; ids match autograder/exercises/ex10.py MISTAKES
VARIANTS = {
    "noise_stddev_as_variance": {"gaussian_noise_forward": noise_stddev_as_variance},
    "noise_at_test": {"gaussian_noise_forward": noise_at_test},
    "noise_ignores_rng": {"gaussian_noise_forward": noise_ignores_rng},
    "noise_test_zeros": {"gaussian_noise_forward": noise_test_zeros},
    "noise_backward_times_noise": {"gaussian_noise_backward": noise_backward_times_noise},
    "noise_sqrt_stddev": {"gaussian_noise_forward": noise_sqrt_stddev},
    "noise_uniform": {"gaussian_noise_forward": noise_uniform},
    "noise_multiplied": {"gaussian_noise_forward": noise_multiplied},
    "noise_one_draw": {"gaussian_noise_forward": noise_one_draw},
    "noise_per_example": {"gaussian_noise_forward": noise_per_example},
    "noise_train_inverted": {"gaussian_noise_forward": noise_train_inverted},
    "noise_backward_adds_noise": {"gaussian_noise_backward": noise_backward_adds_noise},
    "gdropout_std_rate": {"gaussian_dropout_forward": gdropout_std_rate},
    "gdropout_variance_as_std": {"gaussian_dropout_forward": gdropout_variance_as_std},
    "gdropout_std_p_over_1mp_inverted": {"gaussian_dropout_forward": gdropout_std_p_over_1mp_inverted},
    "gdropout_mean_zero": {"gaussian_dropout_forward": gdropout_mean_zero},
    "gdropout_at_test": {"gaussian_dropout_forward": gdropout_at_test},
    "gdropout_ignores_rng": {"gaussian_dropout_forward": gdropout_ignores_rng},
    "gdropout_backward_no_mask": {"gaussian_dropout_backward": gdropout_backward_no_mask},
    "gdropout_std_sqrt_rate": {"gaussian_dropout_forward": gdropout_std_sqrt_rate},
    "gdropout_std_bernoulli": {"gaussian_dropout_forward": gdropout_std_bernoulli},
    "gdropout_mask_added": {"gaussian_dropout_forward": gdropout_mask_added},
    "gdropout_one_draw": {"gaussian_dropout_forward": gdropout_one_draw},
    "gdropout_per_example": {"gaussian_dropout_forward": gdropout_per_example},
    "gdropout_train_inverted": {"gaussian_dropout_forward": gdropout_train_inverted},
    "gdropout_test_ones": {"gaussian_dropout_forward": gdropout_test_ones},
    "gdropout_backward_mask_squared": {"gaussian_dropout_backward": gdropout_backward_mask_squared},
    "gdropout_backward_divides": {"gaussian_dropout_backward": gdropout_backward_divides},
    "layernorm_over_batch": {"layernorm_forward": layernorm_over_batch},
    "layernorm_unbiased_var": {"layernorm_forward": layernorm_unbiased_var},
    "layernorm_eps_outside_sqrt": {"layernorm_forward": layernorm_eps_outside_sqrt},
    "layernorm_no_eps": {"layernorm_forward": layernorm_no_eps},
    "layernorm_no_sqrt": {"layernorm_forward": layernorm_no_sqrt},
    "layernorm_no_centering": {"layernorm_forward": layernorm_no_centering},
    "layernorm_var_uncentered": {"layernorm_forward": layernorm_var_uncentered},
    "layernorm_gamma_beta_swapped": {"layernorm_forward": layernorm_gamma_beta_swapped},
    "layernorm_minus_beta": {"layernorm_forward": layernorm_minus_beta},
    "layernorm_returns_xhat": {"layernorm_forward": layernorm_returns_xhat},
    "layernorm_backward_no_mean_terms": {"layernorm_backward": layernorm_backward_no_mean_terms},
    "layernorm_backward_no_xhat_term": {"layernorm_backward": layernorm_backward_no_xhat_term},
    "layernorm_backward_over_batch": {"layernorm_backward": layernorm_backward_over_batch},
    "layernorm_dgamma_no_xhat": {"layernorm_backward": layernorm_dgamma_no_xhat},
    "layernorm_dgamma_wrong_axis": {"layernorm_backward": layernorm_dgamma_wrong_axis},
    "layernorm_backward_no_1_over_n": {"layernorm_backward": layernorm_backward_no_1_over_n},
    "layernorm_backward_no_gamma": {"layernorm_backward": layernorm_backward_no_gamma},
    "layernorm_dbeta_wrong_axis": {"layernorm_backward": layernorm_dbeta_wrong_axis},
    "layernorm_param_grads_mean": {"layernorm_backward": layernorm_param_grads_mean},
    "layernorm_grads_swapped": {"layernorm_backward": layernorm_grads_swapped},
    "layernorm_dgamma_with_x": {"layernorm_forward": layernorm_forward_caching_x,
                                "layernorm_backward": layernorm_dgamma_with_x},
}
register(VARIANTS)
