"""First-order update rules, CS231n interface: ``update(w, dw, config=None) -> (next_w, config)``.

``config`` holds the hyper-parameters and the state. Defaults are filled with
``config.setdefault``, so a value passed in wins; state (``velocity``,
``cache``, ``m``, ``v``) starts at zeros shaped like ``w`` and ``t`` at 0,
incremented *before* use so that after n calls ``t == n``.

Two forms are correct answers in this course (see the SPEC):

* the lecture form (:func:`adagrad`, :func:`rmsprop`, :func:`adam`): ε added
  outside the square root, Adam with textbook bias correction;
* the Keras form (:func:`adagrad_keras`, :func:`rmsprop_keras`,
  :func:`adam_keras`): ε inside the square root for AdaGrad/RMSprop, and Adam's
  bias correction folded into the step size.

:data:`FORMS` maps each rule name to its accepted forms.
"""
from __future__ import annotations

import numpy as np

#: the SPEC's default hyper-parameters of each rule.
DEFAULTS = {
    "sgd": {"learning_rate": 1e-2},
    "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "sgd_nesterov": {"learning_rate": 1e-2, "momentum": 0.9},
    "adagrad": {"learning_rate": 1e-3, "epsilon": 1e-7},
    "rmsprop": {"learning_rate": 1e-3, "decay_rate": 0.9, "epsilon": 1e-7},
    "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7},
}

#: state keys each rule writes back into ``config``.
STATE_KEYS = {
    "sgd": (),
    "sgd_momentum": ("velocity",),
    "sgd_nesterov": ("velocity",),
    "adagrad": ("cache",),
    "rmsprop": ("cache",),
    "adam": ("m", "v", "t"),
}

# hyper-parameter -> [lowest allowed, highest allowed)
_RANGES = {
    "learning_rate": (0.0, np.inf),
    "momentum": (0.0, 1.0),
    "decay_rate": (0.0, 1.0),
    "beta1": (0.0, 1.0),
    "beta2": (0.0, 1.0),
    "epsilon": (0.0, np.inf),
}


def _setup(rule, w, config, state=()):
    """Fill defaults and zero state into ``config`` (in place) and validate it."""
    if config is None:
        config = {}
    for key, value in DEFAULTS[rule].items():
        config.setdefault(key, value)
        lo, hi = _RANGES[key]
        if not lo <= config[key] < hi:
            raise ValueError(
                f"{rule}: config[{key!r}] must lie in [{lo}, {hi}), got {config[key]!r}"
            )
    for key in state:
        config.setdefault(key, np.zeros_like(w))
    return config


def _arrays(w, dw):
    w = np.asarray(w, dtype=np.float64)
    dw = np.asarray(dw, dtype=np.float64)
    if w.shape != dw.shape:
        raise ValueError(f"w has shape {w.shape} but dw has shape {dw.shape}")
    return w, dw


def sgd(w, dw, config=None):
    """Vanilla SGD: w ← w − lr·g."""
    w, g = _arrays(w, dw)
    config = _setup("sgd", w, config)
    return w - config["learning_rate"] * g, config


def sgd_momentum(w, dw, config=None):
    """Momentum: velocity ← μ·velocity − lr·g;  w ← w + velocity."""
    w, g = _arrays(w, dw)
    config = _setup("sgd_momentum", w, config, ("velocity",))
    v = config["momentum"] * config["velocity"] - config["learning_rate"] * g
    config["velocity"] = v
    return w + v, config


def sgd_nesterov(w, dw, config=None):
    """Nesterov momentum (Keras' form): velocity ← μ·velocity − lr·g;  w ← w + μ·velocity − lr·g."""
    w, g = _arrays(w, dw)
    config = _setup("sgd_nesterov", w, config, ("velocity",))
    lr, mu = config["learning_rate"], config["momentum"]
    v = mu * config["velocity"] - lr * g
    config["velocity"] = v
    return w + mu * v - lr * g, config


def adagrad(w, dw, config=None):
    """AdaGrad, lecture form: cache ← cache + g²;  w ← w − lr·g / (√cache + ε)."""
    w, g = _arrays(w, dw)
    config = _setup("adagrad", w, config, ("cache",))
    config["cache"] = config["cache"] + g**2
    return w - config["learning_rate"] * g / (np.sqrt(config["cache"]) + config["epsilon"]), config


def adagrad_keras(w, dw, config=None):
    """AdaGrad, Keras form (ε inside the root): cache ← cache + g²;  w ← w − lr·g / √(cache + ε)."""
    w, g = _arrays(w, dw)
    config = _setup("adagrad", w, config, ("cache",))
    config["cache"] = config["cache"] + g**2
    return w - config["learning_rate"] * g / np.sqrt(config["cache"] + config["epsilon"]), config


def _rmsprop_cache(g, config):
    rho = config["decay_rate"]
    config["cache"] = rho * config["cache"] + (1.0 - rho) * g**2
    return config["cache"]


def rmsprop(w, dw, config=None):
    """RMSProp, lecture form: cache ← ρ·cache + (1−ρ)·g²;  w ← w − lr·g / (√cache + ε)."""
    w, g = _arrays(w, dw)
    config = _setup("rmsprop", w, config, ("cache",))
    cache = _rmsprop_cache(g, config)
    return w - config["learning_rate"] * g / (np.sqrt(cache) + config["epsilon"]), config


def rmsprop_keras(w, dw, config=None):
    """RMSProp, Keras form (ε inside the root): w ← w − lr·g / √(cache + ε)."""
    w, g = _arrays(w, dw)
    config = _setup("rmsprop", w, config, ("cache",))
    cache = _rmsprop_cache(g, config)
    return w - config["learning_rate"] * g / np.sqrt(cache + config["epsilon"]), config


def _adam_moments(g, w, config):
    config = _setup("adam", w, config, ("m", "v"))
    config.setdefault("t", 0)
    b1, b2 = config["beta1"], config["beta2"]
    config["t"] = config["t"] + 1
    config["m"] = b1 * config["m"] + (1.0 - b1) * g
    config["v"] = b2 * config["v"] + (1.0 - b2) * g**2
    return config


def adam(w, dw, config=None):
    """Adam, lecture form.

    t ← t + 1;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
    m̂ = m/(1−β1ᵗ);  v̂ = v/(1−β2ᵗ);  w ← w − lr·m̂ / (√v̂ + ε).
    """
    w, g = _arrays(w, dw)
    config = _adam_moments(g, w, config)
    t = config["t"]
    m_hat = config["m"] / (1.0 - config["beta1"] ** t)
    v_hat = config["v"] / (1.0 - config["beta2"] ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def adam_keras(w, dw, config=None):
    """Adam, Keras form: moments as :func:`adam`, then
    α = lr·√(1−β2ᵗ)/(1−β1ᵗ);  w ← w − α·m / (√v + ε).
    """
    w, g = _arrays(w, dw)
    config = _adam_moments(g, w, config)
    t = config["t"]
    alpha = config["learning_rate"] * np.sqrt(1.0 - config["beta2"] ** t) / (1.0 - config["beta1"] ** t)
    return w - alpha * config["m"] / (np.sqrt(config["v"]) + config["epsilon"]), config


#: rule name -> {form name: update function}; every form listed is a correct answer.
FORMS = {
    "sgd": {"lecture": sgd},
    "sgd_momentum": {"lecture": sgd_momentum},
    "sgd_nesterov": {"lecture": sgd_nesterov},
    "adagrad": {"lecture": adagrad, "keras": adagrad_keras},
    "rmsprop": {"lecture": rmsprop, "keras": rmsprop_keras},
    "adam": {"lecture": adam, "keras": adam_keras},
}


def trajectory(update, w0, grads, config=None):
    """Run ``update`` over a sequence of gradients, carrying ``config``.

    w0: array; grads: iterable of arrays shaped like w0. Returns
    (ws, config): ws of shape (n_steps + 1, *w0.shape) starting with w0.
    """
    w = np.array(w0, dtype=np.float64)
    ws = [w.copy()]
    for g in grads:
        w, config = update(w.copy(), np.array(g, dtype=np.float64), config)
        w = np.array(w, dtype=np.float64)
        ws.append(w.copy())
    return np.stack(ws), config
