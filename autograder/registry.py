"""The exercise registry: ids, slugs, points, the names each exercise defines.

This module is the single source of the course's exercise list; it imports
nothing heavy. Names follow the SPEC's exercise contract.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    """One exercise of the course.

    id: fixed id ("ex3"); slug: its other name ("dropout"); points: the most
    it can score; names: what a submission must define; needs: the stack its
    grading requires ("numpy", "keras" or "sklearn"); time_limit_s: the
    wall-time limit for running one submission.
    """

    id: str
    slug: str
    title: str
    title_es: str
    points: float
    names: tuple[str, ...]
    needs: str = "numpy"
    time_limit_s: float = 30.0


EXERCISES: tuple[Exercise, ...] = (
    Exercise("ex1", "forward", "Forward pass of an MLP", "Propagación hacia delante en un MLP", 13.0,
             ("sigmoid", "tanh", "relu", "leaky_relu", "softmax", "dense_forward", "mlp_forward",
              "TwoLayerNet", "softplus", "elu", "selu", "swish", "gelu")),
    Exercise("ex2", "backward", "Backpropagation", "Retropropagación", 17.5,
             ("sigmoid_prime", "tanh_prime", "relu_prime", "mse_loss", "cross_entropy_loss",
              "binary_cross_entropy_loss", "softmax_cross_entropy_delta", "mlp_forward",
              "mlp_backward", "TwoLayerNet", "numerical_gradient", "softplus_prime", "elu_prime",
              "selu_prime", "swish_prime", "gelu_prime")),
    Exercise("ex3", "dropout", "Inverted dropout", "Dropout invertido", 10.0,
             ("dropout_forward", "dropout_backward")),
    Exercise("ex4", "weight-decay", "L2 and L1 regularization", "Regularización L2 y L1", 10.0,
             ("l2_penalty", "l2_grad", "sgd_weight_decay_step", "l1_penalty", "sgd_l1_step",
              "regularized_update")),
    Exercise("ex5", "optimizers", "Optimizers: momentum, Nesterov, AdaGrad, RMSProp, Adam",
             "Optimizadores: momento, Nesterov, AdaGrad, RMSProp, Adam", 15.0,
             ("sgd", "sgd_momentum", "sgd_nesterov", "adagrad", "rmsprop", "adam")),
    Exercise("ex6", "train-numpy", "Training an MLP in NumPy", "Entrenar un MLP con NumPy", 15.0,
             ("train",), time_limit_s=120.0),
    Exercise("ex7", "keras", "Keras models", "Modelos en Keras", 15.0,
             ("build_xor_model", "build_digits_model", "count_params"), needs="keras",
             time_limit_s=300.0),
    Exercise("ex8", "init-batchnorm", "Initialization and batch normalization",
             "Inicialización y normalización por lotes", 10.0,
             ("glorot_normal", "he_normal", "batchnorm_forward", "batchnorm_backward")),
    Exercise("ex9", "search", "Hyper-parameter search", "Búsqueda de hiperparámetros", 10.0,
             ("search",), needs="sklearn", time_limit_s=300.0),
    Exercise("ex10", "noise-norm", "Noise and normalization layers", "Capas de ruido y de normalización", 10.0,
             ("gaussian_noise_forward", "gaussian_noise_backward", "gaussian_dropout_forward",
              "gaussian_dropout_backward", "layernorm_forward", "layernorm_backward")),
    Exercise("ex11", "bayes-opt", "Bayesian optimisation", "Optimización bayesiana", 10.0,
             ("rbf_kernel", "gp_posterior", "expected_improvement", "probability_of_improvement",
              "upper_confidence_bound", "bayes_opt_minimize"), time_limit_s=60.0),
    Exercise("ex12", "keras-search", "Tuning a Keras model: grid search and Bayesian optimisation",
             "Ajustar un modelo de Keras: búsqueda en rejilla y optimización bayesiana", 12.0,
             ("build_model", "search", "tune"), needs="keras", time_limit_s=300.0),
)

_BY_KEY = {key: ex for ex in EXERCISES for key in (ex.id, ex.slug)}


def get(key: str) -> Exercise:
    """The exercise whose id or slug is ``key`` (case-insensitive; "_" works for "-").

    Raises KeyError with a suggestion when nothing matches.
    """
    norm = key.strip().lower().replace("_", "-")
    try:
        return _BY_KEY[norm]
    except KeyError:
        close = difflib.get_close_matches(norm, list(_BY_KEY), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        known = ", ".join(f"{e.id} ({e.slug})" for e in EXERCISES)
        raise KeyError(f"unknown exercise {key!r}{hint} Known exercises: {known}") from None
