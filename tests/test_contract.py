"""The reference implements the SPEC's exercise contract with its exact signatures.

Expected signatures are written out here from ../shared/SPEC.md, independently
of the code, so a renamed parameter or a changed default fails.
"""
import inspect

import numpy as np
import pytest

import reference_impl
from autograder import registry

SPEC_SIGNATURES = {
    "sigmoid": "(z)", "tanh": "(z)", "relu": "(z)", "leaky_relu": "(z, alpha=0.01)", "softmax": "(z)",
    "dense_forward": "(a_prev, W, b, activation)", "mlp_forward": "(x, params, activations)",
    "TwoLayerNet": "(n_in, n_hidden, n_out, seed=0)",
    "sigmoid_prime": "(z)", "tanh_prime": "(z)", "relu_prime": "(z)",
    "mse_loss": "(y, t)", "cross_entropy_loss": "(y, t)", "binary_cross_entropy_loss": "(y, t)",
    "softmax_cross_entropy_delta": "(z, t)", "mlp_backward": "(dy, caches, params, activations)",
    "numerical_gradient": "(f, x, h=1e-05)",
    "dropout_forward": "(a, p, train=True, rng=None)", "dropout_backward": "(dout, mask)",
    "l2_penalty": "(weights, lam)", "l2_grad": "(W, lam)", "sgd_weight_decay_step": "(W, dW, eta, lam)",
    "l1_penalty": "(weights, lam)", "sgd_l1_step": "(W, dW, eta, lam)",
    "regularized_update": "(params, grads, eta, lam)",
    "sgd": "(w, dw, config=None)", "sgd_momentum": "(w, dw, config=None)",
    "sgd_nesterov": "(w, dw, config=None)", "adagrad": "(w, dw, config=None)",
    "rmsprop": "(w, dw, config=None)", "adam": "(w, dw, config=None)",
    "glorot_normal": "(n_in, n_out, rng)", "he_normal": "(n_in, n_out, rng)",
    "batchnorm_forward": "(x, gamma, beta, bn_param)", "batchnorm_backward": "(dout, cache)",
    "gaussian_noise_forward": "(a, stddev, train=True, rng=None)", "gaussian_noise_backward": "(dout, noise)",
    "gaussian_dropout_forward": "(a, rate, train=True, rng=None)", "gaussian_dropout_backward": "(dout, mask)",
    "layernorm_forward": "(x, gamma, beta, eps=0.001)", "layernorm_backward": "(dout, cache)",
    # ex1 / ex2, the other activations: from docs/contract-activations.md
    "softplus": "(z)", "elu": "(z, alpha=1.0)", "selu": "(z)", "swish": "(z)", "gelu": "(z, approximate=False)",
    "softplus_prime": "(z)", "elu_prime": "(z, alpha=1.0)", "selu_prime": "(z)", "swish_prime": "(z)",
    "gelu_prime": "(z)",
    # ex11: from docs/contract-ex11.md (the SPEC's table does not carry ex11 yet)
    "rbf_kernel": "(A, B, length_scale, variance)",
    "gp_posterior": "(X_train, y_train, X_test, length_scale, variance, noise)",
    "expected_improvement": "(mu, sigma, best, xi=0.01)", "probability_of_improvement": "(mu, sigma, best, xi=0.01)",
    "upper_confidence_bound": "(mu, sigma, kappa=2.0)",
    "bayes_opt_minimize": "(f, bounds, n_init, n_iter, rng, n_candidates=500, length_scale=0.2, variance=1.0, "
                          "noise=1e-06, xi=0.01)",
}
REFERENCE_EXERCISES = ["ex1", "ex2", "ex3", "ex4", "ex5", "ex8", "ex10", "ex11"]


@pytest.mark.parametrize("ex_id", REFERENCE_EXERCISES)
def test_reference_defines_every_name_of_the_exercise(ex_id):
    names = registry.get(ex_id).names
    namespace = reference_impl.submission_namespace(names)
    assert set(namespace) == set(names)
    for name, obj in namespace.items():
        assert str(inspect.signature(obj)) == SPEC_SIGNATURES[name], name


def test_two_layer_net_methods():
    net = reference_impl.TwoLayerNet(3, 4, 2, seed=5)
    assert str(inspect.signature(net.forward)) == "(x)"
    assert str(inspect.signature(net.backward)) == "(x, t)"
    assert str(inspect.signature(net.gradient_step)) == "(x, t, eta)"
    assert (net.W1.shape, net.b1.shape, net.W2.shape, net.b2.shape) == ((4, 3), (4, 1), (2, 4), (2, 1))
    assert len(np.unique(net.W1)) > 1  # symmetry broken
    again = reference_impl.TwoLayerNet(3, 4, 2, seed=5)
    np.testing.assert_array_equal(net.W1, again.W1)
    assert not np.array_equal(net.W1, reference_impl.TwoLayerNet(3, 4, 2, seed=6).W1)


def test_submission_namespace_names_what_is_missing():
    with pytest.raises(KeyError, match="train"):
        reference_impl.submission_namespace(["sigmoid", "train"])


def test_reference_functions_do_not_mutate_inputs(rng):
    """The grader passes copies anyway; the reference must not rely on that."""
    x = rng.standard_normal((3, 5))
    W = rng.standard_normal((3, 3))
    dW = rng.standard_normal((3, 3))
    keep = (x.copy(), W.copy(), dW.copy())
    reference_impl.softmax(x)
    reference_impl.sgd_weight_decay_step(W, dW, 0.1, 0.01)
    reference_impl.adam(W, dW, {"learning_rate": 0.1})
    reference_impl.batchnorm_forward(x, np.ones((3, 1)), np.zeros((3, 1)), {"mode": "train"})
    for before, after in zip(keep, (x, W, dW)):
        np.testing.assert_array_equal(before, after)
