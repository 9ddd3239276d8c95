"""Known mistakes in ex8 (Glorot/He initialisation, batch normalisation), each one error away from the reference."""
import numpy as np

from .batchnorm import batchnorm_backward as _backward
from .variants import register

#: Keras' truncated normal: cut at 2 standard deviations, std rescaled by this factor (the std of N(0, 1) cut at ±2)
_TRUNCATED_STD = 0.87962566103423978


# ------------------------------------------------------------------ initialisation
def glorot_uniform(n_in, n_out, rng):
    """Glorot *uniform*: U(−√(6/(n_in+n_out)), +…), the right std but not a normal."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_out, n_in))


def he_uniform(n_in, n_out, rng):
    """He *uniform*: U(−√(6/n_in), +√(6/n_in))."""
    limit = np.sqrt(6.0 / n_in)
    return rng.uniform(-limit, limit, size=(n_out, n_in))


def glorot_fan_in(n_in, n_out, rng):
    """Xavier's fan-in-only variance 1/n_in instead of Glorot's 2/(n_in + n_out)."""
    return rng.normal(0.0, np.sqrt(1.0 / n_in), size=(n_out, n_in))


def he_fan_out(n_in, n_out, rng):
    """He with the fan-out: std √(2/n_out)."""
    return rng.normal(0.0, np.sqrt(2.0 / n_out), size=(n_out, n_in))


def glorot_variance_as_std(n_in, n_out, rng):
    """The variance 2/(n_in + n_out) passed where numpy expects the standard deviation."""
    return rng.normal(0.0, 2.0 / (n_in + n_out), size=(n_out, n_in))


def he_variance_as_std(n_in, n_out, rng):
    return rng.normal(0.0, 2.0 / n_in, size=(n_out, n_in))


def _truncated(rng, std, shape):
    """Keras' TruncatedNormal as used by GlorotNormal/HeNormal: redraw beyond 2σ', σ' = std/0.8796."""
    scale = std / _TRUNCATED_STD
    w = rng.normal(0.0, scale, size=shape)
    while True:
        out = np.abs(w) > 2 * scale
        if not out.any():
            return w
        w[out] = rng.normal(0.0, scale, size=int(out.sum()))


def glorot_truncated(n_in, n_out, rng):
    return _truncated(rng, np.sqrt(2.0 / (n_in + n_out)), (n_out, n_in))


def he_truncated(n_in, n_out, rng):
    return _truncated(rng, np.sqrt(2.0 / n_in), (n_out, n_in))


def glorot_transposed(n_in, n_out, rng):
    """Shape (n_in, n_out) instead of (n_out, n_in)."""
    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))


def he_transposed(n_in, n_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))


def glorot_global_rng(n_in, n_out, rng):
    """Draws from NumPy's global generator instead of ``rng``."""
    return np.random.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))


def he_global_rng(n_in, n_out, rng):
    return np.random.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))


def glorot_no_factor_2(n_in, n_out, rng):
    """Glorot's std without the 2: √(1/(n_in + n_out))."""
    return rng.normal(0.0, np.sqrt(1.0 / (n_in + n_out)), size=(n_out, n_in))


def he_no_factor_2(n_in, n_out, rng):
    """He without the 2 (LeCun's std): √(1/n_in)."""
    return rng.normal(0.0, np.sqrt(1.0 / n_in), size=(n_out, n_in))


def he_glorot_std(n_in, n_out, rng):
    """he_normal copied from glorot_normal: std √(2/(n_in + n_out))."""
    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))


def glorot_limit_as_std(n_in, n_out, rng):
    """The Glorot *uniform* limit √(6/(n_in + n_out)) used as the normal's std."""
    return rng.normal(0.0, np.sqrt(6.0 / (n_in + n_out)), size=(n_out, n_in))


def he_limit_as_std(n_in, n_out, rng):
    """The He *uniform* limit √(6/n_in) used as the normal's std."""
    return rng.normal(0.0, np.sqrt(6.0 / n_in), size=(n_out, n_in))


def glorot_rand(n_in, n_out, rng):
    """rand instead of randn: U(0, 1) draws times the std (mean std/2, std std/√12)."""
    return rng.random((n_out, n_in)) * np.sqrt(2.0 / (n_in + n_out))


def he_rand(n_in, n_out, rng):
    return rng.random((n_out, n_in)) * np.sqrt(2.0 / n_in)


# ------------------------------------------------------------------ batchnorm forward
class _Cache:
    """The reference's cache (mode, x_hat, gamma, inv_std), which the reference backward unpacks, with what a
    staged backward also keeps as attributes: x, the mean and variance used, eps. Not a tuple, so that it
    reaches the backward as it is (a handle), attributes included."""

    def __init__(self, items, **extra):
        self.items = tuple(items)
        self.__dict__.update(extra)

    def __iter__(self):
        return iter(self.items)

    def __getitem__(self, i):
        return self.items[i]


def _scale_shift(gamma, x_hat, beta, mode):
    return gamma * x_hat + beta


def _inv_std(var, eps, mode):
    return 1.0 / np.sqrt(var + eps)


def _bn(x, gamma, beta, bn_param, *, axis=1, var_axis=None, ddof=0, running_ddof=None, inv_std=_inv_std,
        scale_shift=_scale_shift, swapped=False, store=True, var_start=1.0, test_batch_stats=False,
        running_mean_of_x=False, update_in_test=False, momentum=None, eps=None):
    """The reference forward with one knob turned; the cache fits the reference backward (and the staged
    backwards below)."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    mode = bn_param.get("mode", "train")
    eps = bn_param.get("eps", 1e-3) if eps is None else eps
    momentum = bn_param.get("momentum", 0.99) if momentum is None else momentum
    running_mean = bn_param.get("running_mean", np.zeros((n, 1)))
    running_var = bn_param.get("running_var", var_start * np.ones((n, 1)))
    if store:
        bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    batch_mean = x.mean(axis=axis, keepdims=True)
    batch_var = x.var(axis=axis if var_axis is None else var_axis, ddof=ddof, keepdims=True)
    if mode == "train" or test_batch_stats:
        mean, var = batch_mean, batch_var
    else:
        mean, var = running_mean, running_var
    if mode == "train" or update_in_test:
        r_var = batch_var if running_ddof is None else x.var(axis=axis, ddof=running_ddof, keepdims=True)
        keep, new = (1.0 - momentum, momentum) if swapped else (momentum, 1.0 - momentum)
        running_mean = keep * running_mean + new * (x if running_mean_of_x else batch_mean)
        running_var = keep * running_var + new * r_var
        if store:
            bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    s = inv_std(var, eps, mode)
    x_hat = (x - mean) * s
    return scale_shift(gamma, x_hat, beta, mode), _Cache((mode, x_hat, gamma, s), x=x, mean=mean, var=var, eps=eps)


def bn_forward(x, gamma, beta, bn_param):
    """The reference's forward, with the staged cache (for the backward mistakes that need x, σ² or ε)."""
    return _bn(x, gamma, beta, bn_param)


def bn_wrong_axis(x, gamma, beta, bn_param):
    """Statistics over the rows (axis 0, one per example) instead of over the batch (axis 1)."""
    return _bn(x, gamma, beta, bn_param, axis=0)


def bn_var_wrong_axis(x, gamma, beta, bn_param):
    """The mean over the batch (axis 1) but the variance over axis 0."""
    return _bn(x, gamma, beta, bn_param, var_axis=0)


def bn_test_batch_stats(x, gamma, beta, bn_param):
    """Test mode normalises with the batch's own mean and variance."""
    return _bn(x, gamma, beta, bn_param, test_batch_stats=True)


def bn_unbiased_var(x, gamma, beta, bn_param):
    """np.var(..., ddof=1): the unbiased 1/(m − 1) variance, for normalising and for the running variance."""
    return _bn(x, gamma, beta, bn_param, ddof=1)


def bn_running_var_unbiased(x, gamma, beta, bn_param):
    """PyTorch's convention: biased variance to normalise, unbiased one in the running variance."""
    return _bn(x, gamma, beta, bn_param, running_ddof=1)


def bn_eps_outside_sqrt(x, gamma, beta, bn_param):
    """(x − μ)/(√σ² + ε) instead of (x − μ)/√(σ² + ε)."""
    return _bn(x, gamma, beta, bn_param, inv_std=lambda var, eps, mode: 1.0 / (np.sqrt(var) + eps))


def bn_no_eps(x, gamma, beta, bn_param):
    """(x − μ)/√σ² in both modes: ε forgotten."""
    return _bn(x, gamma, beta, bn_param, inv_std=lambda var, eps, mode: 1.0 / np.sqrt(var))


def bn_no_sqrt(x, gamma, beta, bn_param):
    """(x − μ)/(σ² + ε): divided by the variance instead of the standard deviation."""
    return _bn(x, gamma, beta, bn_param, inv_std=lambda var, eps, mode: 1.0 / (var + eps))


def bn_eps_hardcoded(x, gamma, beta, bn_param):
    """ε hard-coded to 1e-5 instead of read from bn_param['eps']."""
    return _bn(x, gamma, beta, bn_param, eps=1e-5)


def bn_test_no_eps(x, gamma, beta, bn_param):
    """Test mode divides by √running_var: ε forgotten there only."""
    return _bn(x, gamma, beta, bn_param,
               inv_std=lambda var, eps, mode: 1.0 / np.sqrt(var + (eps if mode == "train" else 0.0)))


def bn_no_beta(x, gamma, beta, bn_param):
    """out = γ·x̂: β is never added."""
    return _bn(x, gamma, beta, bn_param, scale_shift=lambda g, xh, b, mode: g * xh)


def bn_gamma_beta_swapped(x, gamma, beta, bn_param):
    """out = β·x̂ + γ: the scale and the shift exchanged."""
    return _bn(x, gamma, beta, bn_param, scale_shift=lambda g, xh, b, mode: b * xh + g)


def bn_beta_before_gamma(x, gamma, beta, bn_param):
    """out = γ·(x̂ + β): the shift added before the scale."""
    return _bn(x, gamma, beta, bn_param, scale_shift=lambda g, xh, b, mode: g * (xh + b))


def bn_test_no_gamma_beta(x, gamma, beta, bn_param):
    """Test mode returns x̂: γ and β forgotten there."""
    return _bn(x, gamma, beta, bn_param, scale_shift=lambda g, xh, b, mode: g * xh + b if mode == "train" else xh)


def bn_test_minus_beta(x, gamma, beta, bn_param):
    """Test mode returns γ·x̂ − β."""
    return _bn(x, gamma, beta, bn_param,
               scale_shift=lambda g, xh, b, mode: g * xh + (b if mode == "train" else -b))


def bn_momentum_swapped(x, gamma, beta, bn_param):
    """running = momentum·batch + (1 − momentum)·running (the other convention)."""
    return _bn(x, gamma, beta, bn_param, swapped=True)


def bn_momentum_hardcoded(x, gamma, beta, bn_param):
    """momentum hard-coded to 0.9 instead of read from bn_param['momentum']."""
    return _bn(x, gamma, beta, bn_param, momentum=0.9)


def bn_running_mean_of_x(x, gamma, beta, bn_param):
    """running_mean updated with x itself instead of the batch mean (it becomes an (n, m) array)."""
    return _bn(x, gamma, beta, bn_param, running_mean_of_x=True)


def bn_test_updates_running(x, gamma, beta, bn_param):
    """The running statistics are updated in test mode too (with the test batch's statistics)."""
    return _bn(x, gamma, beta, bn_param, update_in_test=True)


def bn_running_not_stored(x, gamma, beta, bn_param):
    """The running statistics are computed in local variables and never written into bn_param."""
    return _bn(x, gamma, beta, bn_param, store=False)


def bn_running_var_zeros(x, gamma, beta, bn_param):
    """A missing running_var starts at zeros instead of ones."""
    return _bn(x, gamma, beta, bn_param, var_start=0.0)


# ------------------------------------------------------------------ batchnorm backward
def _terms(dout, cache):
    """dx̂ = dout ⊙ γ, m, the batch sums Σ dx̂ and Σ(dx̂ ⊙ x̂) (over axis 1, kept as columns)."""
    mode, x_hat, gamma, inv_std = cache
    dx_hat = dout * gamma
    return dx_hat, dout.shape[1], dx_hat.sum(axis=1, keepdims=True), np.sum(dx_hat * x_hat, axis=1, keepdims=True)


def _with_dx(dx, dout, cache):
    _, dgamma, dbeta = _backward(dout, cache)
    return dx, dgamma, dbeta


def bn_backward_no_xhat_term(dout, cache):
    """dx without −x̂·Σ(dx̂ ⊙ x̂): the variance's dependence on x is forgotten."""
    dx_hat, m, s1, s2 = _terms(dout, cache)
    return _with_dx((cache[3] / m) * (m * dx_hat - s1), dout, cache)


def bn_backward_no_mean_term(dout, cache):
    """dx without −Σ dx̂: the mean's dependence on x is forgotten."""
    dx_hat, m, s1, s2 = _terms(dout, cache)
    return _with_dx((cache[3] / m) * (m * dx_hat - cache[1] * s2), dout, cache)


def bn_backward_constant_stats(dout, cache):
    """dx = dx̂/√(σ² + ε) in training mode: μ and σ² treated as constants (the test-mode gradient)."""
    dx_hat, m, s1, s2 = _terms(dout, cache)
    return _with_dx(dx_hat * cache[3], dout, cache)


def bn_backward_mean_term_sign(dout, cache):
    """dx with +Σ dx̂ instead of −Σ dx̂."""
    dx_hat, m, s1, s2 = _terms(dout, cache)
    return _with_dx((cache[3] / m) * (m * dx_hat + s1 - cache[1] * s2), dout, cache)


def bn_backward_xhat_term_sign(dout, cache):
    """dx with +x̂·Σ(dx̂ ⊙ x̂) instead of −x̂·Σ(dx̂ ⊙ x̂)."""
    dx_hat, m, s1, s2 = _terms(dout, cache)
    return _with_dx((cache[3] / m) * (m * dx_hat - s1 + cache[1] * s2), dout, cache)


def bn_backward_no_1_over_m(dout, cache):
    """dx without the 1/m factor: √(σ² + ε)⁻¹·(m·dx̂ − Σ dx̂ − x̂·Σ(dx̂ ⊙ x̂))."""
    dx_hat, m, s1, s2 = _terms(dout, cache)
    return _with_dx(cache[3] * (m * dx_hat - s1 - cache[1] * s2), dout, cache)


def bn_backward_no_gamma(dout, cache):
    """dx̂ = dout instead of dout ⊙ γ: γ forgotten in dx."""
    mode, x_hat, gamma, inv_std = cache
    dx, _, _ = _backward(dout, (mode, x_hat, np.ones_like(gamma), inv_std))
    return _with_dx(dx, dout, cache)


def _staged_dx(dout, cache, *, eps_direct=True, eps_var=True):
    """The staged (computational-graph) dx, with ε optionally dropped in its direct term dx̂/√(σ² + ε) (the mean's
    gradient dμ = −Σ dx̂/√(σ² + ε) + … keeps it) or in its variance term's (σ² + ε)^(−3/2)."""
    x, mu, var, eps, gamma = cache.x, cache.mean, cache.var, cache.eps, cache[2]
    m = dout.shape[1]
    dx_hat = dout * gamma
    xmu = x - mu
    dvar = np.sum(dx_hat * xmu, axis=1, keepdims=True) * -0.5 * (var + (eps if eps_var else 0.0)) ** -1.5
    dmu = -np.sum(dx_hat / np.sqrt(var + eps), axis=1, keepdims=True) + dvar * np.mean(-2.0 * xmu, axis=1,
                                                                                      keepdims=True)
    return dx_hat / np.sqrt(var + (eps if eps_direct else 0.0)) + dvar * 2.0 * xmu / m + dmu / m


def bn_backward_eps_dropped(dout, cache):
    """Staged dx whose direct term divides by √σ² instead of √(σ² + ε) (ε kept elsewhere)."""
    return _with_dx(_staged_dx(dout, cache, eps_direct=False), dout, cache)


def bn_backward_var_term_no_eps(dout, cache):
    """Staged dx whose variance term uses (σ²)^(−3/2) instead of (σ² + ε)^(−3/2)."""
    return _with_dx(_staged_dx(dout, cache, eps_var=False), dout, cache)


def bn_dgamma_wrong_axis(dout, cache):
    """dgamma and dbeta summed over the features (axis 0) instead of over the batch (axis 1)."""
    mode, x_hat, gamma, inv_std = cache
    dx, _, _ = _backward(dout, cache)
    return dx, np.sum(dout * x_hat, axis=0, keepdims=True), np.sum(dout, axis=0, keepdims=True)


def bn_dgamma_dbeta_mean(dout, cache):
    """dgamma and dbeta as means over the batch instead of sums."""
    dx, dgamma, dbeta = _backward(dout, cache)
    m = dout.shape[1]
    return dx, dgamma / m, dbeta / m


def bn_dgamma_no_xhat(dout, cache):
    """dgamma = Σ dout (as dbeta) instead of Σ dout ⊙ x̂."""
    dx, _, dbeta = _backward(dout, cache)
    return dx, dbeta.copy(), dbeta


def bn_dgamma_uses_x(dout, cache):
    """dgamma = Σ dout ⊙ x (the input) instead of Σ dout ⊙ x̂."""
    dx, _, dbeta = _backward(dout, cache)
    return dx, np.sum(dout * cache.x, axis=1, keepdims=True), dbeta


#: mistake id -> {contract name: replacement}; ids match autograder/exercises/ex8.py MISTAKES
VARIANTS = {
    "init_uniform": {"glorot_normal": glorot_uniform, "he_normal": he_uniform},
    "init_rand": {"glorot_normal": glorot_rand, "he_normal": he_rand},
    "init_glorot_fan_in": {"glorot_normal": glorot_fan_in},
    "init_glorot_no_factor_2": {"glorot_normal": glorot_no_factor_2},
    "init_he_fan_out": {"he_normal": he_fan_out},
    "init_he_no_factor_2": {"he_normal": he_no_factor_2},
    "init_he_glorot_std": {"he_normal": he_glorot_std},
    "init_variance_as_std": {"glorot_normal": glorot_variance_as_std, "he_normal": he_variance_as_std},
    "init_uniform_limit_as_std": {"glorot_normal": glorot_limit_as_std, "he_normal": he_limit_as_std},
    "init_truncated": {"glorot_normal": glorot_truncated, "he_normal": he_truncated},
    "init_transposed": {"glorot_normal": glorot_transposed, "he_normal": he_transposed},
    "init_ignores_rng": {"glorot_normal": glorot_global_rng, "he_normal": he_global_rng},
    "bn_wrong_axis": {"batchnorm_forward": bn_wrong_axis},
    "bn_var_wrong_axis": {"batchnorm_forward": bn_var_wrong_axis},
    "bn_test_batch_stats": {"batchnorm_forward": bn_test_batch_stats},
    "bn_unbiased_var": {"batchnorm_forward": bn_unbiased_var},
    "bn_running_var_unbiased": {"batchnorm_forward": bn_running_var_unbiased},
    "bn_eps_outside_sqrt": {"batchnorm_forward": bn_eps_outside_sqrt},
    "bn_no_eps": {"batchnorm_forward": bn_no_eps},
    "bn_no_sqrt": {"batchnorm_forward": bn_no_sqrt},
    "bn_eps_hardcoded": {"batchnorm_forward": bn_eps_hardcoded},
    "bn_test_no_eps": {"batchnorm_forward": bn_test_no_eps},
    "bn_no_beta": {"batchnorm_forward": bn_no_beta},
    "bn_gamma_beta_swapped": {"batchnorm_forward": bn_gamma_beta_swapped},
    "bn_beta_before_gamma": {"batchnorm_forward": bn_beta_before_gamma},
    "bn_test_no_gamma_beta": {"batchnorm_forward": bn_test_no_gamma_beta},
    "bn_test_minus_beta": {"batchnorm_forward": bn_test_minus_beta},
    "bn_momentum_swapped": {"batchnorm_forward": bn_momentum_swapped},
    "bn_momentum_hardcoded": {"batchnorm_forward": bn_momentum_hardcoded},
    "bn_running_mean_of_x": {"batchnorm_forward": bn_running_mean_of_x},
    "bn_test_updates_running": {"batchnorm_forward": bn_test_updates_running},
    "bn_running_not_stored": {"batchnorm_forward": bn_running_not_stored},
    "bn_running_var_zeros": {"batchnorm_forward": bn_running_var_zeros},
    "bn_backward_no_xhat_term": {"batchnorm_backward": bn_backward_no_xhat_term},
    "bn_backward_no_mean_term": {"batchnorm_backward": bn_backward_no_mean_term},
    "bn_backward_constant_stats": {"batchnorm_backward": bn_backward_constant_stats},
    "bn_backward_mean_term_sign": {"batchnorm_backward": bn_backward_mean_term_sign},
    "bn_backward_xhat_term_sign": {"batchnorm_backward": bn_backward_xhat_term_sign},
    "bn_backward_no_1_over_m": {"batchnorm_backward": bn_backward_no_1_over_m},
    "bn_backward_no_gamma": {"batchnorm_backward": bn_backward_no_gamma},
    "bn_backward_eps_dropped": {"batchnorm_forward": bn_forward, "batchnorm_backward": bn_backward_eps_dropped},
    "bn_backward_var_term_no_eps": {"batchnorm_forward": bn_forward, "batchnorm_backward": bn_backward_var_term_no_eps},
    "bn_dgamma_wrong_axis": {"batchnorm_backward": bn_dgamma_wrong_axis},
    "bn_dgamma_dbeta_mean": {"batchnorm_backward": bn_dgamma_dbeta_mean},
    "bn_dgamma_no_xhat": {"batchnorm_backward": bn_dgamma_no_xhat},
    "bn_dgamma_uses_x": {"batchnorm_forward": bn_forward, "batchnorm_backward": bn_dgamma_uses_x},
}
register(VARIANTS)
