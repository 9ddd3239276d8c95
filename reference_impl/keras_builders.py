"""Keras counterparts of the reference, used by the tests that validate it.

Keras works with examples as *rows* (batch, features); the reference with
columns. Builders here take the reference's arrays and return Keras objects
configured to compute the same thing. Keras is imported inside each function,
so importing this module costs nothing.
"""
from __future__ import annotations

import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def dense_sequential(params, activations):
    """A float64 ``keras.Sequential`` of Dense layers holding the reference's weights.

    params: [(W (n_k, n_{k−1}), b (n_k, 1)), …]; Keras stores the kernel as
    Wᵀ (n_{k−1}, n_k) and the bias as a vector. ``model(x.T)`` equals
    ``mlp_forward(x, params, activations)[0].T``.
    """
    import keras

    n_in = params[0][0].shape[1]
    layers = [keras.Input(shape=(n_in,), dtype="float64")]
    for (W, _), name in zip(params, activations):
        layers.append(keras.layers.Dense(W.shape[0], activation=name, dtype="float64"))
    model = keras.Sequential(layers)
    for layer, (W, b) in zip(model.layers, params):
        layer.set_weights([np.asarray(W).T, np.asarray(b).ravel()])
    return model


#: reference rule name and form -> Keras optimizer class name and the mapping
#: of config keys to constructor arguments.
_OPTIMIZERS = {
    ("sgd", "lecture"): ("SGD", {"learning_rate": "learning_rate"}),
    ("sgd_momentum", "lecture"): ("SGD", {"learning_rate": "learning_rate", "momentum": "momentum"}),
    ("sgd_nesterov", "lecture"): ("SGD", {"learning_rate": "learning_rate", "momentum": "momentum"}),
    ("adagrad", "keras"): ("Adagrad", {"learning_rate": "learning_rate", "epsilon": "epsilon"}),
    ("rmsprop", "keras"): ("RMSprop", {"learning_rate": "learning_rate", "decay_rate": "rho", "epsilon": "epsilon"}),
    ("adam", "keras"): ("Adam", {"learning_rate": "learning_rate", "beta1": "beta_1", "beta2": "beta_2", "epsilon": "epsilon"}),
}


def keras_optimizer(rule, config):
    """The Keras optimizer that implements ``rule`` (in its Keras form) with ``config``'s hyper-parameters.

    AdaGrad is built with ``initial_accumulator_value=0.0`` (the lecture's
    zero start; Keras' default is 0.1). Nesterov sets ``nesterov=True``.
    """
    import keras

    form = "lecture" if rule.startswith("sgd") else "keras"
    cls_name, mapping = _OPTIMIZERS[(rule, form)]
    kwargs = {mapping[k]: v for k, v in config.items() if k in mapping}
    if rule == "sgd_nesterov":
        kwargs["nesterov"] = True
    if rule == "adagrad":
        kwargs["initial_accumulator_value"] = 0.0
    return getattr(keras.optimizers, cls_name)(**kwargs)


def keras_trajectory(rule, config, w0, grads):
    """The trajectory of ``keras_optimizer(rule, config)``: see :func:`run_optimizer`."""
    return run_optimizer(keras_optimizer(rule, config), w0, grads)


def run_optimizer(opt, w0, grads):
    """Apply a Keras optimizer to a float64 variable for the given gradient sequence.

    w0: array; grads: sequence of arrays shaped like w0. Returns the
    trajectory (n_steps + 1, *w0.shape), float64, starting with w0.
    """
    import keras

    var = keras.Variable(np.array(w0, dtype=np.float64), dtype="float64")
    ws = [np.array(w0, dtype=np.float64)]
    for g in grads:
        opt.apply([keras.ops.convert_to_tensor(np.asarray(g, dtype=np.float64))], [var])
        ws.append(np.array(var.numpy(), dtype=np.float64))
    return np.stack(ws)
