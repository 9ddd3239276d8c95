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


# ------------------------------------------------------------------ batchnorm forward
def _bn(x, gamma, beta, bn_param, *, axis=1, ddof=0, running_ddof=None, eps_inside=True, swapped=False,
        store=True, var_start=1.0, test_batch_stats=False):
    """The reference forward with one knob turned; the cache fits the reference backward."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    mode = bn_param.get("mode", "train")
    eps = bn_param.get("eps", 1e-3)
    momentum = bn_param.get("momentum", 0.99)
    running_mean = bn_param.get("running_mean", np.zeros((n, 1)))
    running_var = bn_param.get("running_var", var_start * np.ones((n, 1)))
    if store:
        bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    if mode == "train" or test_batch_stats:
        mean = x.mean(axis=axis, keepdims=True)
        var = x.var(axis=axis, ddof=ddof, keepdims=True)
        if mode == "train":
            r_var = var if running_ddof is None else x.var(axis=axis, ddof=running_ddof, keepdims=True)
            keep, new = (1.0 - momentum, momentum) if swapped else (momentum, 1.0 - momentum)
            running_mean = keep * running_mean + new * mean
            running_var = keep * running_var + new * r_var
            if store:
                bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    else:
        mean, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + eps) if eps_inside else 1.0 / (np.sqrt(var) + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (mode, x_hat, gamma, inv_std)


def bn_wrong_axis(x, gamma, beta, bn_param):
    """Statistics over the rows (axis 0, one per example) instead of over the batch (axis 1)."""
    return _bn(x, gamma, beta, bn_param, axis=0)


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
    return _bn(x, gamma, beta, bn_param, eps_inside=False)


def bn_momentum_swapped(x, gamma, beta, bn_param):
    """running = momentum·batch + (1 − momentum)·running (the other convention)."""
    return _bn(x, gamma, beta, bn_param, swapped=True)


def bn_running_not_stored(x, gamma, beta, bn_param):
    """The running statistics are computed in local variables and never written into bn_param."""
    return _bn(x, gamma, beta, bn_param, store=False)


def bn_running_var_zeros(x, gamma, beta, bn_param):
    """A missing running_var starts at zeros instead of ones."""
    return _bn(x, gamma, beta, bn_param, var_start=0.0)


# ------------------------------------------------------------------ batchnorm backward
def bn_backward_no_xhat_term(dout, cache):
    """dx without −x̂·Σ(dx̂ ⊙ x̂): the variance's dependence on x is forgotten."""
    mode, x_hat, gamma, inv_std = cache
    dx_hat = dout * gamma
    m = dout.shape[1]
    dx = (inv_std / m) * (m * dx_hat - dx_hat.sum(axis=1, keepdims=True))
    _, dgamma, dbeta = _backward(dout, cache)
    return dx, dgamma, dbeta


def bn_backward_no_mean_term(dout, cache):
    """dx without −Σ dx̂: the mean's dependence on x is forgotten."""
    mode, x_hat, gamma, inv_std = cache
    dx_hat = dout * gamma
    m = dout.shape[1]
    dx = (inv_std / m) * (m * dx_hat - x_hat * np.sum(dx_hat * x_hat, axis=1, keepdims=True))
    _, dgamma, dbeta = _backward(dout, cache)
    return dx, dgamma, dbeta


def bn_dgamma_wrong_axis(dout, cache):
    """dgamma and dbeta summed over the features (axis 0) instead of over the batch (axis 1)."""
    mode, x_hat, gamma, inv_std = cache
    dx, _, _ = _backward(dout, cache)
    return dx, np.sum(dout * x_hat, axis=0, keepdims=True), np.sum(dout, axis=0, keepdims=True)


#: mistake id -> {contract name: replacement}; ids match autograder/exercises/ex8.py MISTAKES
VARIANTS = {
    "init_uniform": {"glorot_normal": glorot_uniform, "he_normal": he_uniform},
    "init_glorot_fan_in": {"glorot_normal": glorot_fan_in},
    "init_he_fan_out": {"he_normal": he_fan_out},
    "init_variance_as_std": {"glorot_normal": glorot_variance_as_std, "he_normal": he_variance_as_std},
    "init_truncated": {"glorot_normal": glorot_truncated, "he_normal": he_truncated},
    "init_transposed": {"glorot_normal": glorot_transposed, "he_normal": he_transposed},
    "init_ignores_rng": {"glorot_normal": glorot_global_rng, "he_normal": he_global_rng},
    "bn_wrong_axis": {"batchnorm_forward": bn_wrong_axis},
    "bn_test_batch_stats": {"batchnorm_forward": bn_test_batch_stats},
    "bn_unbiased_var": {"batchnorm_forward": bn_unbiased_var},
    "bn_running_var_unbiased": {"batchnorm_forward": bn_running_var_unbiased},
    "bn_eps_outside_sqrt": {"batchnorm_forward": bn_eps_outside_sqrt},
    "bn_momentum_swapped": {"batchnorm_forward": bn_momentum_swapped},
    "bn_running_not_stored": {"batchnorm_forward": bn_running_not_stored},
    "bn_running_var_zeros": {"batchnorm_forward": bn_running_var_zeros},
    "bn_backward_no_xhat_term": {"batchnorm_backward": bn_backward_no_xhat_term},
    "bn_backward_no_mean_term": {"batchnorm_backward": bn_backward_no_mean_term},
    "bn_dgamma_wrong_axis": {"batchnorm_backward": bn_dgamma_wrong_axis},
}
register(VARIANTS)
