"""Known mistakes in ex5 (optimizers), each one error away from the reference.

Every variant keeps the CS231n interface ``update(w, dw, config=None) ->
(next_w, config)`` and the SPEC's defaults, and is written the way a student
would write it (state in ``config``, ``config.setdefault`` for defaults), so
the only difference from :mod:`reference_impl.optimizers` is the mistake.
Two keep the reference's steps and differ only in the state they store
(``optim_velocity_opposite_sign``, ``optim_adam_t_from_1_after_use``): the
grader names them from the state, never from the trajectory.
"""
import numpy as np

from .optimizers import DEFAULTS, adam
from .variants import register


def _config(rule, config):
    if config is None:
        config = {}
    for key, value in DEFAULTS[rule].items():
        config.setdefault(key, value)
    return config


def sgd_wrong_sign(w, dw, config=None):
    """Gradient ascent: w + lr*g."""
    config = _config("sgd", config)
    return w + config["learning_rate"] * dw, config


def momentum_wrong_sign(w, dw, config=None):
    """velocity = mu*velocity + lr*g; w += velocity (the step climbs the gradient)."""
    config = _config("sgd_momentum", config)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v + config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def momentum_state_not_stored(w, dw, config=None):
    """The velocity lives in a local variable and is never written back: every step starts from 0."""
    config = _config("sgd_momentum", config)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    return w + v, config


def momentum_velocity_opposite_sign(w, dw, config=None):
    """velocity = mu*velocity + lr*g; w -= velocity: the same steps, the stored velocity of the opposite sign."""
    config = _config("sgd_momentum", config)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v + config["learning_rate"] * dw
    config["velocity"] = v
    return w - v, config


def nesterov_velocity_opposite_sign(w, dw, config=None):
    """velocity = mu*velocity + lr*g; w -= mu*velocity + lr*g: Nesterov's steps, the velocity's sign flipped."""
    config = _config("sgd_nesterov", config)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v + config["learning_rate"] * dw
    config["velocity"] = v
    return w - (config["momentum"] * v + config["learning_rate"] * dw), config


def nesterov_as_momentum(w, dw, config=None):
    """Nesterov written as plain momentum: w += velocity instead of w += mu*velocity - lr*g."""
    config = _config("sgd_nesterov", config)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def adagrad_cache_replaced(w, dw, config=None):
    """cache = g**2 (replaced every step) instead of cache += g**2."""
    config = _config("adagrad", config)
    config["cache"] = dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config


def adagrad_cache_starts_at_0_1(w, dw, config=None):
    """The accumulator starts at 0.1 (Keras' initial_accumulator_value) instead of zeros."""
    config = _config("adagrad", config)
    config.setdefault("cache", np.full_like(w, 0.1))
    config["cache"] = config["cache"] + dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config


def rmsprop_no_one_minus_decay(w, dw, config=None):
    """cache = decay_rate*cache + g**2: the (1 - decay_rate) factor is missing."""
    config = _config("rmsprop", config)
    cache = config.get("cache", np.zeros_like(w))
    config["cache"] = config["decay_rate"] * cache + dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config


def _moments(w, dw, config):
    config = _config("adam", config)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    b1, b2 = config["beta1"], config["beta2"]
    config["m"] = b1 * config["m"] + (1 - b1) * dw
    config["v"] = b2 * config["v"] + (1 - b2) * dw**2
    return config


def adam_no_bias_correction(w, dw, config=None):
    """w -= lr*m/(sqrt(v)+eps): m and v used without the bias correction."""
    config = _moments(w, dw, config)
    config["t"] += 1
    return w - config["learning_rate"] * config["m"] / (np.sqrt(config["v"]) + config["epsilon"]), config


def adam_t_late(w, dw, config=None):
    """t incremented after it is used: the first step divides by 1 - beta1**0 = 0."""
    config = _moments(w, dw, config)
    t = config["t"]
    m_hat = config["m"] / (1 - config["beta1"] ** t)
    v_hat = config["v"] / (1 - config["beta2"] ** t)
    config["t"] = t + 1
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def adam_t_starts_at_1(w, dw, config=None):
    """t starts at 1 (an old course template), so the first step uses t = 2."""
    if config is None:
        config = {}
    config.setdefault("t", 1)
    return adam(w, dw, config)


def adam_t_not_incremented(w, dw, config=None):
    """t never incremented: it stays at its start, 1 as in the old template (at 0 every step would divide by 0),
    so every step is bias-corrected as the first one."""
    if config is None:
        config = {}
    config.setdefault("t", 1)
    config = _moments(w, dw, config)
    t = config["t"]
    m_hat = config["m"] / (1 - config["beta1"] ** t)
    v_hat = config["v"] / (1 - config["beta2"] ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def adam_t_from_1_after_use(w, dw, config=None):
    """t starts at 1 and is incremented after use: every step uses the right t (the trajectory is the
    reference's), but config['t'] ends at steps + 1."""
    if config is None:
        config = {}
    config.setdefault("t", 1)
    config = _moments(w, dw, config)
    t = config["t"]
    m_hat = config["m"] / (1 - config["beta1"] ** t)
    v_hat = config["v"] / (1 - config["beta2"] ** t)
    config["t"] = t + 1
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def adam_bias_correction_t_plus_1(w, dw, config=None):
    """Bias correction with beta**(t+1) instead of beta**t."""
    config = _moments(w, dw, config)
    config["t"] += 1
    t = config["t"]
    m_hat = config["m"] / (1 - config["beta1"] ** (t + 1))
    v_hat = config["v"] / (1 - config["beta2"] ** (t + 1))
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def adam_t_not_stored(w, dw, config=None):
    """t = config.get('t', 0) + 1 used but never written back: every step uses t = 1."""
    config = _config("adam", config)
    b1, b2 = config["beta1"], config["beta2"]
    config["m"] = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    config["v"] = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    t = config.get("t", 0) + 1
    m_hat = config["m"] / (1 - config["beta1"] ** t)
    v_hat = config["v"] / (1 - config["beta2"] ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def adam_corrected_moments_stored(w, dw, config=None):
    """The bias-corrected m_hat and v_hat are written back into config in place of m and v."""
    config = _moments(w, dw, config)
    config["t"] += 1
    t = config["t"]
    config["m"] = config["m"] / (1 - config["beta1"] ** t)
    config["v"] = config["v"] / (1 - config["beta2"] ** t)
    return w - config["learning_rate"] * config["m"] / (np.sqrt(config["v"]) + config["epsilon"]), config


def adam_default_epsilon(w, dw, config=None):
    """Default epsilon 1e-8 (CS231n's) instead of the course's 1e-7 (Keras')."""
    if config is None:
        config = {}
    config.setdefault("epsilon", 1e-8)
    return adam(w, dw, config)


#: mistake id -> {contract name: replacement}; ids match autograder/exercises/ex5.py MISTAKES
VARIANTS = {
    "optim_sgd_wrong_sign": {"sgd": sgd_wrong_sign},
    "optim_momentum_wrong_sign": {"sgd_momentum": momentum_wrong_sign},
    "optim_state_not_stored": {"sgd_momentum": momentum_state_not_stored},
    "optim_velocity_opposite_sign": {"sgd_momentum": momentum_velocity_opposite_sign,
                                     "sgd_nesterov": nesterov_velocity_opposite_sign},
    "optim_nesterov_as_momentum": {"sgd_nesterov": nesterov_as_momentum},
    "optim_adagrad_cache_replaced": {"adagrad": adagrad_cache_replaced},
    "optim_adagrad_cache_starts_at_0_1": {"adagrad": adagrad_cache_starts_at_0_1},
    "optim_rmsprop_no_one_minus_decay": {"rmsprop": rmsprop_no_one_minus_decay},
    "optim_adam_no_bias_correction": {"adam": adam_no_bias_correction},
    "optim_adam_t_late": {"adam": adam_t_late},
    "optim_adam_t_starts_at_1": {"adam": adam_t_starts_at_1},
    "optim_adam_t_not_incremented": {"adam": adam_t_not_incremented},
    "optim_adam_t_from_1_after_use": {"adam": adam_t_from_1_after_use},
    "optim_adam_bias_correction_t_plus_1": {"adam": adam_bias_correction_t_plus_1},
    "optim_adam_t_not_stored": {"adam": adam_t_not_stored},
    "optim_adam_corrected_moments_stored": {"adam": adam_corrected_moments_stored},
    "optim_adam_default_epsilon": {"adam": adam_default_epsilon},
}
register(VARIANTS)
