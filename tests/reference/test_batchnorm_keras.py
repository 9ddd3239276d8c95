"""Prove ``reference_impl.batchnorm`` against keras.layers.BatchNormalization (SPEC, ex8).

The reference normalises each row of x (n, m) over the batch (axis 1); Keras
normalises each column of x.T (m, n) over axis 0 (``axis=-1`` features).
Keras' weights, in order: gamma, beta, moving_mean, moving_variance.

What Keras 3.15 does (TensorFlow backend), verified below: batch statistics
from ``tf.nn.moments`` — the *biased* (1/m) variance, both for normalising
and for the moving variance; moving = momentum·moving + (1 − momentum)·batch;
ε inside the square root; momentum and ε stay Python floats (no float32
rounding), so even non-power-of-two values agree to float64 rounding.

Tolerances (float64 throughout), all on the SPEC rule
|a − b| ≤ rtol·|b| + rtol·max|b|:
* forward outputs and running statistics: rtol 1e-12 (measured ≤ 2.8e-16);
* backward (GradientTape): rtol 1e-10 (measured ≤ 2.1e-15);
* numerical gradient check: the reference's check_gradient, relative error
  below 1e-6 (its default; measured ≤ 5e-10).
"""
import numpy as np
import pytest

from reference_impl.batchnorm import batchnorm_backward, batchnorm_forward
from reference_impl.gradcheck import check_gradient

pytestmark = pytest.mark.keras

N, M = 4, 16
RTOL_FWD = 1e-12
RTOL_BWD = 1e-10
#: (momentum, eps): float32-exact values, and Keras' own defaults.
SETTINGS = [pytest.param(0.875, 2**-10, id="exact"), pytest.param(0.99, 1e-3, id="keras-defaults")]


def assert_close(got, expected, rtol):
    expected = np.asarray(expected, dtype=np.float64)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * np.max(np.abs(expected)))


@pytest.fixture
def case():
    """x batches (5, n, m) with non-zero means and unequal scales, gamma, beta, running stats (n, 1)."""
    rng = np.random.default_rng(31)
    xs = 3.0 + rng.standard_normal((5, N, 1)) + rng.uniform(0.5, 2.0, (N, 1)) * rng.standard_normal((5, N, M))
    gamma = rng.uniform(0.5, 2.0, (N, 1))
    beta = rng.standard_normal((N, 1))
    running_mean = rng.standard_normal((N, 1))
    running_var = rng.uniform(0.5, 2.0, (N, 1))
    dout = rng.standard_normal((N, M))
    return xs, gamma, beta, running_mean, running_var, dout


def keras_bn(keras, momentum, eps, gamma, beta, running_mean=None, running_var=None):
    layer = keras.layers.BatchNormalization(axis=-1, momentum=momentum, epsilon=eps, dtype="float64")
    layer.build((None, gamma.shape[0]))
    assert [w.name for w in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    weights = layer.get_weights()
    weights[0], weights[1] = gamma.ravel(), beta.ravel()
    if running_mean is not None:
        weights[2], weights[3] = running_mean.ravel(), running_var.ravel()
    layer.set_weights(weights)
    return layer


def moving_stats(layer):
    return np.asarray(layer.moving_mean).reshape(-1, 1), np.asarray(layer.moving_variance).reshape(-1, 1)


# --------------------------------------------------------------------------
# Forward
# --------------------------------------------------------------------------

@pytest.mark.parametrize("momentum, eps", SETTINGS)
def test_train_forward_and_running_stats_match_keras(keras, case, momentum, eps):
    """Outputs and running statistics agree after each of 5 training calls; then test mode agrees."""
    xs, gamma, beta, rm, rv, _ = case
    layer = keras_bn(keras, momentum, eps, gamma, beta, rm, rv)
    bn_param = {"mode": "train", "eps": eps, "momentum": momentum, "running_mean": rm.copy(), "running_var": rv.copy()}
    for x in xs:
        out, _ = batchnorm_forward(x, gamma, beta, bn_param)
        keras_out = np.asarray(layer(x.T, training=True))
        assert out.shape == x.shape
        assert_close(out, keras_out.T, RTOL_FWD)
        keras_mean, keras_var = moving_stats(layer)
        assert bn_param["running_mean"].shape == bn_param["running_var"].shape == (N, 1)
        assert_close(bn_param["running_mean"], keras_mean, RTOL_FWD)
        assert_close(bn_param["running_var"], keras_var, RTOL_FWD)

    bn_param["mode"] = "test"
    x = xs[0] + 0.5
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    assert_close(out, np.asarray(layer(x.T, training=False)).T, RTOL_FWD)
    # test mode leaves the running statistics alone, in both
    assert_close(bn_param["running_mean"], moving_stats(layer)[0], RTOL_FWD)


@pytest.mark.parametrize("momentum, eps", SETTINGS)
def test_keras_moving_variance_is_biased_and_reference_agrees(keras, case, momentum, eps):
    """One call from known stats: both give momentum·rv + (1 − momentum)·var(ddof=0), not ddof=1."""
    xs, gamma, beta, rm, rv, _ = case
    x = xs[0]
    layer = keras_bn(keras, momentum, eps, gamma, beta, rm, rv)
    layer(x.T, training=True)
    keras_mean, keras_var = moving_stats(layer)
    biased = momentum * rv + (1 - momentum) * x.var(axis=1, ddof=0, keepdims=True)
    unbiased = momentum * rv + (1 - momentum) * x.var(axis=1, ddof=1, keepdims=True)
    assert_close(keras_var, biased, RTOL_FWD)
    assert not np.allclose(keras_var, unbiased, rtol=1e-6)
    assert_close(keras_mean, momentum * rm + (1 - momentum) * x.mean(axis=1, keepdims=True), RTOL_FWD)

    bn_param = {"mode": "train", "eps": eps, "momentum": momentum, "running_mean": rm.copy(), "running_var": rv.copy()}
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    assert_close(bn_param["running_var"], biased, RTOL_FWD)
    # normalisation uses the biased variance too, ε inside the root
    expected = gamma * (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps) + beta
    assert_close(out, expected, RTOL_FWD)


@pytest.mark.parametrize("mode", ["train", "test"])
def test_missing_running_stats_are_created_and_stored(keras, case, mode):
    """Without running_mean/running_var the reference starts at zeros/ones (Keras' initial moving stats)."""
    xs, gamma, beta, _, _, _ = case
    x = xs[1]
    momentum, eps = 0.875, 2**-10
    bn_param = {"mode": mode, "eps": eps, "momentum": momentum}
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    layer = keras_bn(keras, momentum, eps, gamma, beta)  # Keras' own initial moving stats
    assert_close(out, np.asarray(layer(x.T, training=(mode == "train"))).T, RTOL_FWD)
    keras_mean, keras_var = moving_stats(layer)
    assert bn_param["running_mean"].shape == bn_param["running_var"].shape == (N, 1)
    assert_close(bn_param["running_mean"], keras_mean, RTOL_FWD)
    assert_close(bn_param["running_var"], keras_var, RTOL_FWD)
    if mode == "test":
        np.testing.assert_array_equal(bn_param["running_mean"], np.zeros((N, 1)))
        np.testing.assert_array_equal(bn_param["running_var"], np.ones((N, 1)))
    else:
        assert_close(bn_param["running_mean"], (1 - momentum) * x.mean(axis=1, keepdims=True), RTOL_FWD)
        assert_close(bn_param["running_var"], momentum + (1 - momentum) * x.var(axis=1, keepdims=True), RTOL_FWD)


def test_bad_mode_raises(case):
    xs, gamma, beta, _, _, _ = case
    with pytest.raises(ValueError, match="'eval'"):
        batchnorm_forward(xs[0], gamma, beta, {"mode": "eval", "eps": 1e-3, "momentum": 0.9})


# --------------------------------------------------------------------------
# Backward
# --------------------------------------------------------------------------

@pytest.mark.parametrize("momentum, eps", SETTINGS)
@pytest.mark.parametrize("mode", ["train", "test"])
def test_backward_matches_gradient_tape(keras, tf, case, mode, momentum, eps):
    """dx, dgamma, dbeta = TF's gradients of sum(dout ⊙ keras_output) w.r.t. the input, gamma, beta."""
    xs, gamma, beta, rm, rv, dout = case
    x = xs[2]
    layer = keras_bn(keras, momentum, eps, gamma, beta, rm, rv)
    x_t = tf.constant(x.T)
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        out_k = layer(x_t, training=(mode == "train"))
        loss = tf.reduce_sum(tf.constant(dout.T) * out_k)
    dx_k, dgamma_k, dbeta_k = tape.gradient(loss, [x_t, layer.gamma, layer.beta])

    bn_param = {"mode": mode, "eps": eps, "momentum": momentum, "running_mean": rm.copy(), "running_var": rv.copy()}
    _, cache = batchnorm_forward(x, gamma, beta, bn_param)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    assert dx.shape == (N, M) and dgamma.shape == dbeta.shape == (N, 1)
    assert_close(dx, np.asarray(dx_k).T, RTOL_BWD)
    assert_close(dgamma, np.asarray(dgamma_k).reshape(-1, 1), RTOL_BWD)
    assert_close(dbeta, np.asarray(dbeta_k).reshape(-1, 1), RTOL_BWD)
    if mode == "train":
        # the batch statistics depend on x: dx sums to zero over the batch, unlike test mode's
        np.testing.assert_allclose(dx.sum(axis=1), 0.0, atol=1e-12 * np.abs(dx).max())


@pytest.mark.parametrize("mode", ["train", "test"])
@pytest.mark.parametrize("wrt", ["x", "gamma", "beta"])
def test_backward_numerical_gradient_check(mode, wrt):
    """Dense centered-difference check (reference gradcheck, rel. error < 1e-6) on a 3×5 case."""
    rng = np.random.default_rng(32)
    inputs = {
        "x": 1.0 + 2.0 * rng.standard_normal((3, 5)),
        "gamma": rng.uniform(0.5, 2.0, (3, 1)),
        "beta": rng.standard_normal((3, 1)),
    }
    running_mean, running_var = rng.standard_normal((3, 1)), rng.uniform(0.5, 2.0, (3, 1))
    dout = rng.standard_normal((3, 5))

    def bn_param():
        return {"mode": mode, "eps": 1e-3, "momentum": 0.9,
                "running_mean": running_mean.copy(), "running_var": running_var.copy()}

    def f(value):
        args = dict(inputs, **{wrt: value})
        return float(np.sum(dout * batchnorm_forward(args["x"], args["gamma"], args["beta"], bn_param())[0]))

    _, cache = batchnorm_forward(inputs["x"], inputs["gamma"], inputs["beta"], bn_param())
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    analytic = {"x": dx, "gamma": dgamma, "beta": dbeta}[wrt]
    result = check_gradient(f, inputs[wrt].copy(), analytic)
    assert result.passed, result
    assert result.max_rel_error < 1e-6
