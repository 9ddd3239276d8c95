"""Known mistakes in ex5 (optimizers), each one error away from the reference.

Every variant keeps the CS231n interface ``update(w, dw, config=None) ->
(next_w, config)`` and the SPEC's defaults, and is written the way a student
would write it (state in ``config``, ``config.setdefault`` for defaults), so
the only difference from :mod:`reference_impl.optimizers` is the mistake.
Two keep the reference's steps and differ only in the state they store
(``optim_velocity_opposite_sign``, ``optim_adam_t_from_1_after_use``): the
grader names them from the state, never from the trajectory. Some take the
same steps as another mistake and store another state (momentum climbing the
gradient and ``w -= velocity``; a state never written back and one reset at
every call): the grader tells them apart by the state they store.

A mistake shared by several rules (a hyper-parameter hard-coded, the state
not carried, no square root, …) has one variant per rule, built from the
reference by the small factories below (``_hard_coded``, ``_not_carried``,
``_not_stored``, ``_with_default``).
"""
import numpy as np

from .optimizers import DEFAULTS, adagrad, adam, rmsprop, sgd, sgd_momentum, sgd_nesterov
from .variants import register

RULES = {"sgd": sgd, "sgd_momentum": sgd_momentum, "sgd_nesterov": sgd_nesterov,
         "adagrad": adagrad, "rmsprop": rmsprop, "adam": adam}


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


# ------------------------------------------------------------------ mistakes shared by several rules
def _hard_coded(rule: str, keys: tuple[str, ...]):
    """The rule with the hyper-parameters ``keys`` written as literals (their SPEC defaults) in the
    formula: config still holds the values passed in, the step ignores them."""
    update = RULES[rule]

    def hard_coded(w, dw, config=None):
        config = _config(rule, config)
        given = {key: config[key] for key in keys}
        config.update({key: DEFAULTS[rule][key] for key in keys})
        next_w, config = update(w, dw, config)
        config.update(given)
        return next_w, config

    hard_coded.__doc__ = f"{rule} with {', '.join(keys)} fixed at the default instead of read from config."
    return hard_coded


def _not_carried(rule: str, keys: tuple[str, ...]):
    """The rule with its state ``keys`` reset to zeros at every call (then updated and stored): the
    state stored by one call never reaches the next. Adam's t is still carried."""
    update = RULES[rule]

    def not_carried(w, dw, config=None):
        config = _config(rule, config)
        for key in keys:
            config[key] = np.zeros_like(w)
        return update(w, dw, config)

    not_carried.__doc__ = f"{rule} with {', '.join(keys)} = np.zeros_like(w) at every call (stored, never carried)."
    return not_carried


def _not_stored(rule: str):
    """The rule run on a copy of config: the state lives in local variables and is never written back."""
    update = RULES[rule]

    def not_stored(w, dw, config=None):
        config = _config(rule, config)
        next_w, _ = update(w, dw, dict(config))
        return next_w, config

    not_stored.__doc__ = f"{rule} whose state is never written back into config: every call starts from zeros."
    return not_stored


def _with_default(rule: str, key: str, value):
    """The rule with another default for ``key`` (a value passed in still wins)."""
    update = RULES[rule]

    def other_default(w, dw, config=None):
        if config is None:
            config = {}
        config.setdefault(key, value)
        return update(w, dw, config)

    other_default.__doc__ = f"{rule} with the default {key} = {value!r}."
    return other_default


def sgd_gradient_twice(w, dw, config=None):
    """w - lr*dw - lr*dw: the step applied twice (w -= lr*dw in place, then w - lr*dw returned)."""
    config = _config("sgd", config)
    return w - config["learning_rate"] * dw - config["learning_rate"] * dw, config


def momentum_gradient_twice(w, dw, config=None):
    """velocity = mu*velocity - lr*dw; w += velocity - lr*dw: the gradient step added besides the velocity."""
    config = _config("sgd_momentum", config)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v - config["learning_rate"] * dw, config


def nesterov_gradient_twice(w, dw, config=None):
    """w += velocity - lr*dw (mu missing before the new velocity, which already holds -lr*dw)."""
    config = _config("sgd_nesterov", config)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v - config["learning_rate"] * dw, config


def momentum_moving_average(w, dw, config=None):
    """velocity = mu*velocity - (1 - mu)*lr*dw: momentum as an exponential moving average of the gradients
    (the same steps as velocity = mu*velocity + (1 - mu)*dw; w -= lr*velocity)."""
    config = _config("sgd_momentum", config)
    mu = config["momentum"]
    v = mu * config.get("velocity", np.zeros_like(w)) - (1 - mu) * config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def momentum_step_subtracted(w, dw, config=None):
    """velocity = mu*velocity - lr*dw (right), then w -= velocity: the step climbs the gradient."""
    config = _config("sgd_momentum", config)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    config["velocity"] = v
    return w - v, config


def nesterov_no_gradient_term(w, dw, config=None):
    """w += mu*velocity: the - lr*dw term of Nesterov's step is missing."""
    config = _config("sgd_nesterov", config)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    config["velocity"] = v
    return w + config["momentum"] * v, config


def _adaptive(rule, w, dw, config, square=True, after=False):
    """AdaGrad's or RMSprop's cache (g**2, or g itself when not ``square``); with ``after`` the step uses
    the cache of before the update. Returns (config, the cache the step divides by)."""
    config = _config(rule, config)
    old = config.get("cache", np.zeros_like(w))
    g2 = dw**2 if square else dw
    if rule == "adagrad":
        config["cache"] = old + g2
    else:
        rho = config["decay_rate"]
        config["cache"] = rho * old + (1 - rho) * g2
    return config, (old if after else config["cache"])


def adagrad_no_sqrt(w, dw, config=None):
    """w -= lr*dw/(cache + eps): the square root of the cache is missing."""
    config, cache = _adaptive("adagrad", w, dw, config)
    return w - config["learning_rate"] * dw / (cache + config["epsilon"]), config


def rmsprop_no_sqrt(w, dw, config=None):
    """w -= lr*dw/(cache + eps): the square root of the cache is missing."""
    config, cache = _adaptive("rmsprop", w, dw, config)
    return w - config["learning_rate"] * dw / (cache + config["epsilon"]), config


def adagrad_no_epsilon(w, dw, config=None):
    """w -= lr*dw/sqrt(cache): epsilon is left out."""
    config, cache = _adaptive("adagrad", w, dw, config)
    return w - config["learning_rate"] * dw / np.sqrt(cache), config


def rmsprop_no_epsilon(w, dw, config=None):
    """w -= lr*dw/sqrt(cache): epsilon is left out."""
    config, cache = _adaptive("rmsprop", w, dw, config)
    return w - config["learning_rate"] * dw / np.sqrt(cache), config


def adagrad_not_squared(w, dw, config=None):
    """cache += dw (not dw**2): the cache goes negative and its square root is NaN."""
    config, cache = _adaptive("adagrad", w, dw, config, square=False)
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def rmsprop_not_squared(w, dw, config=None):
    """cache = decay_rate*cache + (1 - decay_rate)*dw (not dw**2): NaN where the cache goes negative."""
    config, cache = _adaptive("rmsprop", w, dw, config, square=False)
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adagrad_cache_after_step(w, dw, config=None):
    """The step divides by the cache of before this gradient (cache updated after the step)."""
    config, cache = _adaptive("adagrad", w, dw, config, after=True)
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def rmsprop_cache_after_step(w, dw, config=None):
    """The step divides by the cache of before this gradient (cache updated after the step)."""
    config, cache = _adaptive("rmsprop", w, dw, config, after=True)
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def rmsprop_decay_swapped(w, dw, config=None):
    """cache = (1 - decay_rate)*cache + decay_rate*dw**2: the two weights swapped."""
    config = _config("rmsprop", config)
    rho = config["decay_rate"]
    config["cache"] = (1 - rho) * config.get("cache", np.zeros_like(w)) + rho * dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config


def _adam_step(w, config, m_hat, v_hat):
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def _corrected(config):
    t = config["t"]
    return config["m"] / (1 - config["beta1"] ** t), config["v"] / (1 - config["beta2"] ** t)


def adam_eps_inside_sqrt(w, dw, config=None):
    """w -= lr*m_hat/sqrt(v_hat + eps): epsilon inside the square root with the textbook bias correction."""
    config = _moments(w, dw, config)
    config["t"] += 1
    m_hat, v_hat = _corrected(config)
    return w - config["learning_rate"] * m_hat / np.sqrt(v_hat + config["epsilon"]), config


def adam_no_sqrt(w, dw, config=None):
    """w -= lr*m_hat/(v_hat + eps): the square root of v_hat is missing."""
    config = _moments(w, dw, config)
    config["t"] += 1
    m_hat, v_hat = _corrected(config)
    return w - config["learning_rate"] * m_hat / (v_hat + config["epsilon"]), config


def adam_no_epsilon(w, dw, config=None):
    """w -= lr*m_hat/sqrt(v_hat): epsilon is left out."""
    config = _moments(w, dw, config)
    config["t"] += 1
    m_hat, v_hat = _corrected(config)
    return w - config["learning_rate"] * m_hat / np.sqrt(v_hat), config


def adam_not_squared(w, dw, config=None):
    """v = beta2*v + (1 - beta2)*dw (not dw**2): NaN where v goes negative."""
    config = _config("adam", config)
    config.setdefault("t", 0)
    b1, b2 = config["beta1"], config["beta2"]
    config["t"] += 1
    config["m"] = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    config["v"] = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw
    return _adam_step(w, config, *_corrected(config))


def adam_betas_swapped(w, dw, config=None):
    """beta1 and beta2 swapped (b2, b1 = config['beta1'], config['beta2']): m decays with beta2, v with beta1."""
    config = _config("adam", config)
    config.setdefault("t", 0)
    b2, b1 = config["beta1"], config["beta2"]
    config["t"] += 1
    t = config["t"]
    config["m"] = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    config["v"] = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    return _adam_step(w, config, config["m"] / (1 - b1**t), config["v"] / (1 - b2**t))


def adam_no_one_minus_beta(w, dw, config=None):
    """m = beta1*m + dw, v = beta2*v + dw**2: the (1 - beta) factors are missing."""
    config = _config("adam", config)
    config.setdefault("t", 0)
    b1, b2 = config["beta1"], config["beta2"]
    config["t"] += 1
    config["m"] = b1 * config.get("m", np.zeros_like(w)) + dw
    config["v"] = b2 * config.get("v", np.zeros_like(w)) + dw**2
    return _adam_step(w, config, *_corrected(config))


#: mistake id -> {contract name: replacement}; ids match autograder/exercises/ex5.py MISTAKES
VARIANTS = {
    "optim_sgd_wrong_sign": {"sgd": sgd_wrong_sign},
    "optim_momentum_wrong_sign": {"sgd_momentum": momentum_wrong_sign},
    "optim_state_not_stored": {"sgd_momentum": momentum_state_not_stored, "sgd_nesterov": _not_stored("sgd_nesterov"),
                               "adagrad": _not_stored("adagrad"), "rmsprop": _not_stored("rmsprop")},
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
    "optim_adam_default_epsilon": {"adam": adam_default_epsilon, "adagrad": _with_default("adagrad", "epsilon", 1e-8),
                                   "rmsprop": _with_default("rmsprop", "epsilon", 1e-8)},
    "optim_learning_rate_hard_coded": {rule: _hard_coded(rule, ("learning_rate",)) for rule in RULES},
    "optim_momentum_hard_coded": {rule: _hard_coded(rule, ("momentum",)) for rule in ("sgd_momentum", "sgd_nesterov")},
    "optim_decay_rate_hard_coded": {"rmsprop": _hard_coded("rmsprop", ("decay_rate",))},
    "optim_adam_betas_hard_coded": {"adam": _hard_coded("adam", ("beta1", "beta2"))},
    "optim_state_not_carried": {"sgd_momentum": _not_carried("sgd_momentum", ("velocity",)),
                                "sgd_nesterov": _not_carried("sgd_nesterov", ("velocity",)),
                                "rmsprop": _not_carried("rmsprop", ("cache",)),
                                "adam": _not_carried("adam", ("m", "v"))},
    "optim_gradient_applied_twice": {"sgd": sgd_gradient_twice, "sgd_momentum": momentum_gradient_twice,
                                     "sgd_nesterov": nesterov_gradient_twice},
    "optim_momentum_moving_average": {"sgd_momentum": momentum_moving_average},
    "optim_momentum_step_subtracted": {"sgd_momentum": momentum_step_subtracted},
    "optim_nesterov_no_gradient_term": {"sgd_nesterov": nesterov_no_gradient_term},
    "optim_no_sqrt": {"adagrad": adagrad_no_sqrt, "rmsprop": rmsprop_no_sqrt, "adam": adam_no_sqrt},
    "optim_no_epsilon": {"adagrad": adagrad_no_epsilon, "rmsprop": rmsprop_no_epsilon, "adam": adam_no_epsilon},
    "optim_grad_not_squared": {"adagrad": adagrad_not_squared, "rmsprop": rmsprop_not_squared, "adam": adam_not_squared},
    "optim_cache_updated_after_step": {"adagrad": adagrad_cache_after_step, "rmsprop": rmsprop_cache_after_step},
    "optim_rmsprop_decay_swapped": {"rmsprop": rmsprop_decay_swapped},
    "optim_adam_eps_inside_sqrt": {"adam": adam_eps_inside_sqrt},
    "optim_adam_betas_swapped": {"adam": adam_betas_swapped},
    "optim_adam_no_one_minus_beta": {"adam": adam_no_one_minus_beta},
    "optim_rmsprop_default_decay_rate": {"rmsprop": _with_default("rmsprop", "decay_rate", 0.99)},
    "optim_adaptive_default_learning_rate": {"adagrad": _with_default("adagrad", "learning_rate", 1e-2),
                                             "rmsprop": _with_default("rmsprop", "learning_rate", 1e-2)},
}
register(VARIANTS)
