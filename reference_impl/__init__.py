"""Trusted NumPy reference for the course's exercises (float64, examples as columns).

Every name of the exercise contract for ex1–ex5, ex8, ex10 and ex11 is defined here with
the SPEC's signature and semantics, so the reference can itself be graded as
a submission (see :func:`submission_namespace`). It is validated against
Keras/TensorFlow by ``tests/reference/`` and is never shipped to students.

One concept per module:
    activations    sigmoid, tanh, relu, leaky_relu, softmax, softplus, elu, selu, swish, gelu and derivatives
    losses         mse, cross-entropy, binary cross-entropy and their gradients
    layers         dense_forward, mlp_forward, mlp_backward
    two_layer_net  TwoLayerNet (sigmoid hidden layer, linear output)
    dropout        inverted dropout
    regularization L2 / L1 penalties and weight-decay steps
    optimizers     sgd, momentum, Nesterov, AdaGrad, RMSProp, Adam (both forms)
    initializers   Glorot / He normal
    batchnorm      batch normalisation forward and backward
    noise_norm     Gaussian noise, Gaussian dropout, layer normalisation
    bayes_opt      Gaussian-process posterior, EI / PI / UCB, the Bayesian-optimisation loop
    gradcheck      numerical gradients and gradient checks
    keras_builders Keras counterparts used by the validation tests (imports Keras lazily)
"""
from .activations import (
    elu, elu_prime, gelu, gelu_prime, leaky_relu, leaky_relu_prime, relu, relu_prime, selu, selu_prime, sigmoid,
    sigmoid_prime, softmax, softplus, softplus_prime, swish, swish_prime, tanh, tanh_prime,
)
from .batchnorm import batchnorm_backward, batchnorm_forward
from .bayes_opt import (
    bayes_opt_minimize, expected_improvement, gp_posterior, probability_of_improvement, rbf_kernel,
    upper_confidence_bound,
)
from .dropout import dropout_backward, dropout_forward
from .gradcheck import numerical_gradient
from .initializers import glorot_normal, he_normal
from .layers import dense_forward, mlp_backward, mlp_forward
from .noise_norm import (
    gaussian_dropout_backward, gaussian_dropout_forward, gaussian_noise_backward, gaussian_noise_forward,
    layernorm_backward, layernorm_forward,
)
from .losses import (
    binary_cross_entropy_loss, cross_entropy_loss, mse_loss, softmax_cross_entropy_delta,
)
from .optimizers import adagrad, adam, rmsprop, sgd, sgd_momentum, sgd_nesterov
from .regularization import (
    l1_penalty, l2_grad, l2_penalty, regularized_update, sgd_l1_step, sgd_weight_decay_step,
)
from .two_layer_net import TwoLayerNet

__all__ = [
    "TwoLayerNet", "adagrad", "adam", "batchnorm_backward", "batchnorm_forward", "bayes_opt_minimize",
    "binary_cross_entropy_loss", "cross_entropy_loss", "dense_forward", "dropout_backward",
    "dropout_forward", "expected_improvement", "gaussian_dropout_backward", "gaussian_dropout_forward", "gaussian_noise_backward",
    "gaussian_noise_forward", "glorot_normal", "gp_posterior", "he_normal", "l1_penalty", "l2_grad", "l2_penalty",
    "layernorm_backward", "layernorm_forward",
    "leaky_relu", "leaky_relu_prime", "mlp_backward", "mlp_forward", "mse_loss",
    "numerical_gradient", "probability_of_improvement", "rbf_kernel", "regularized_update", "relu", "relu_prime", "rmsprop", "sgd",
    "sgd_l1_step", "sgd_momentum", "sgd_nesterov", "sgd_weight_decay_step", "sigmoid",
    "sigmoid_prime", "softmax", "softmax_cross_entropy_delta", "tanh", "tanh_prime",
    "upper_confidence_bound",
    # the other activations (docs/contract-activations.md)
    "elu", "elu_prime", "gelu", "gelu_prime", "selu", "selu_prime", "softplus", "softplus_prime", "swish",
    "swish_prime",
]


def submission_namespace(names):
    """The reference as a submission: {name: object} for the contract names given.

    Raises KeyError naming any name the reference does not define.
    """
    missing = [n for n in names if n not in __all__]
    if missing:
        raise KeyError(f"reference_impl does not define {', '.join(missing)}")
    return {n: globals()[n] for n in names}
