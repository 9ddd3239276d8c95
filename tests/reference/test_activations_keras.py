"""reference_impl.activations against keras.activations and tf.GradientTape.

The reference works with examples as columns and computes softmax over
axis 0; Keras computes softmax over the last axis, so it is given ``z.T``.
Every tensor is float64 (``tf.constant(..., dtype=tf.float64)``); Keras'
activations then compute in float64, except where noted (leaky ReLU's slope).
"""
import warnings

import numpy as np
import pytest

from reference_impl import activations as A

from .compare import assert_close

pytestmark = pytest.mark.keras


def _inputs(seed, avoid_zero=False):
    """(n, m) float64 pre-activations: moderate values, large values and exact ±1000, 0 (unless avoid_zero)."""
    g = np.random.default_rng(seed)
    z = np.concatenate(
        [
            g.standard_normal((4, 9)),
            g.standard_normal((4, 9)) * 30.0,
            g.uniform(-1000.0, 1000.0, (4, 9)),
        ]
    )
    z[0, :6] = [-1000.0, 1000.0, -40.0, 40.0, -1e-3, 1e-3]
    if not avoid_zero:
        z[1, 0] = 0.0
    else:
        # keep every entry at least 1e-3 away from the kink of ReLU / leaky ReLU
        z = np.where(np.abs(z) < 1e-3, np.copysign(1e-3, z) + z, z)
    return z


def _keras_fn(keras, name, alpha=None):
    if name == "leaky_relu":
        return lambda x: keras.activations.leaky_relu(x, negative_slope=alpha)
    return getattr(keras.activations, name)


def _ref_fn(name, alpha=None):
    if name == "leaky_relu":
        return lambda z: A.leaky_relu(z, alpha=alpha)
    return getattr(A, name)


# (name, alpha, rtol, atol)
# tf.nn.leaky_relu stores its slope as a float32 attribute (measured: -1000 with
# slope 0.2 gives -200.000003), so its negative part carries a relative error up
# to 2**-24 ≈ 6e-8: compared at rtol 1e-7. Sigmoid: TF computes 1/(1+e^{-z}),
# which is 0 for z < -709.8 where the reference returns denormals (< 1e-308):
# atol 1e-300 covers that and nothing else.
ELEMENTWISE_CASES = [
    ("sigmoid", None, 1e-12, 1e-300),
    ("tanh", None, 1e-12, 0.0),
    ("relu", None, 0.0, 0.0),
    ("leaky_relu", 0.01, 1e-7, 0.0),
    ("leaky_relu", 0.2, 1e-7, 0.0),
]


@pytest.mark.parametrize("name, alpha, rtol, atol", ELEMENTWISE_CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_elementwise_activation_matches_keras(tf, keras, name, alpha, rtol, atol, seed):
    z = _inputs(seed)
    got = _ref_fn(name, alpha)(z)
    expected = _keras_fn(keras, name, alpha)(tf.constant(z.T, dtype=tf.float64))
    assert expected.dtype == tf.float64
    assert got.shape == z.shape and got.dtype == np.float64
    assert_close(f"act:{name}(alpha={alpha}),seed={seed}", got, expected.numpy().T, rtol=rtol, atol=atol)


def test_leaky_relu_default_alpha_is_0_01(tf, keras):
    z = _inputs(3)
    expected = keras.activations.leaky_relu(tf.constant(z.T, dtype=tf.float64), negative_slope=0.01)
    # float32 slope inside TF: rtol 1e-7 (see ELEMENTWISE_CASES)
    assert_close("act:leaky_relu(default alpha)", A.leaky_relu(z), expected.numpy().T, rtol=1e-7)


@pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
@pytest.mark.parametrize("m", [1, 6])
def test_softmax_matches_keras_over_columns(tf, keras, scale, m):
    g = np.random.default_rng(int(scale) + m)
    z = g.standard_normal((5, m)) * scale
    got = A.softmax(z)
    expected = keras.activations.softmax(tf.constant(z.T, dtype=tf.float64))  # last axis of z.T = axis 0 of z
    assert expected.dtype == tf.float64
    # probabilities below the underflow threshold are 0 on both sides; atol 1e-300 for denormals
    assert_close(f"act:softmax,scale={scale},m={m}", got, expected.numpy().T, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(got.sum(axis=0), 1.0, rtol=0, atol=1e-15)


# --------------------------------------------------------------- derivatives
def _tape_derivative(tf, keras_fn, z):
    """Elementwise f'(z) as the gradient of Σ f(z) w.r.t. z (examples as rows for Keras)."""
    x = tf.constant(z.T, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(keras_fn(x))
    g = tape.gradient(total, x)
    assert g.dtype == tf.float64
    return g.numpy().T


# σ' = σ(1−σ) and tanh' = 1 − tanh² lose relative precision by cancellation
# where the activation is ±1 (both TF's gradient kernels and the reference use
# these formulas, one ulp apart in σ or tanh): atol 1e-15 (a few ulps of 1).
# Leaky ReLU's slope is a float32 attribute in TF: rtol 1e-7.
DERIVATIVE_CASES = [
    ("sigmoid", None, A.sigmoid_prime, 1e-12, 1e-15),
    ("tanh", None, A.tanh_prime, 1e-12, 1e-15),
    ("relu", None, A.relu_prime, 0.0, 0.0),
    ("leaky_relu", 0.01, lambda z: A.leaky_relu_prime(z, alpha=0.01), 1e-7, 0.0),
    ("leaky_relu", 0.2, lambda z: A.leaky_relu_prime(z, alpha=0.2), 1e-7, 0.0),
]


@pytest.mark.parametrize("name, alpha, prime, rtol, atol", DERIVATIVE_CASES)
@pytest.mark.parametrize("seed", [10, 11])
def test_derivative_matches_gradient_tape(tf, keras, name, alpha, prime, rtol, atol, seed):
    # inputs kept ≥ 1e-3 away from 0, where ReLU and leaky ReLU are not differentiable
    z = _inputs(seed, avoid_zero=True)
    assert np.all(np.abs(z) >= 1e-3)
    got = prime(z)
    expected = _tape_derivative(tf, _keras_fn(keras, name, alpha), z)
    assert got.shape == z.shape
    assert_close(f"d/dz:{name}(alpha={alpha}),seed={seed}", got, expected, rtol=rtol, atol=atol)


def test_relu_prime_is_zero_at_zero_course_convention(tf, keras):
    z = np.array([[0.0, -0.0, 1e-300, -1e-300]])
    np.testing.assert_array_equal(A.relu_prime(z), [[0.0, 0.0, 1.0, 0.0]])
    # TF's ReluGrad uses the same convention at 0 (gradient 0); checked, not assumed
    np.testing.assert_array_equal(_tape_derivative(tf, keras.activations.relu, z[:, :2]), [[0.0, 0.0]])


def test_leaky_relu_prime_at_zero_is_alpha(tf, keras):
    z = np.zeros((1, 2))
    np.testing.assert_array_equal(A.leaky_relu_prime(z, alpha=0.2), [[0.2, 0.2]])
    tape = _tape_derivative(tf, lambda x: keras.activations.leaky_relu(x, negative_slope=0.2), z)
    # float32 slope in TF: rtol 1e-7
    assert_close("d/dz:leaky_relu at 0", A.leaky_relu_prime(z, alpha=0.2), tape, rtol=1e-7)


# ------------------------------------------------------------------ stability
def _no_warnings(f, z):
    """f(z) with every warning an error and overflow/divide/invalid raising.

    Underflow is left ignored (numpy's default): e^{-2000} → 0 is the correctly
    rounded result, and numpy emits no RuntimeWarning for it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            return f(z)


Z_HUGE = np.array(
    [
        [1000.0, -1000.0, 1000.0, -1000.0, 0.0, 1000.0],
        [-1000.0, 1000.0, 1000.0, -1000.0, 1000.0, 999.0],
        [0.0, 0.0, -1000.0, -1000.0, -1000.0, -1000.0],
    ]
)


def test_softmax_stable_at_1000(tf, keras):
    s = _no_warnings(A.softmax, Z_HUGE)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s.sum(axis=0), 1.0, rtol=0, atol=1e-15)
    expected = keras.activations.softmax(tf.constant(Z_HUGE.T, dtype=tf.float64)).numpy().T
    assert_close("stability:softmax at ±1000", s, expected, rtol=1e-12, atol=1e-300)
    # known values: ties split evenly, a 1000-gap gives exactly one-hot in float64
    np.testing.assert_allclose(s[:, 2], [0.5, 0.5, 0.0], rtol=1e-15, atol=0)
    np.testing.assert_allclose(s[:, 3], [1 / 3, 1 / 3, 1 / 3], rtol=1e-15, atol=0)
    np.testing.assert_allclose(s[:, 5], [np.e / (1 + np.e), 1 / (1 + np.e), 0.0], rtol=1e-14, atol=0)


def test_sigmoid_stable_at_1000(tf, keras):
    s = _no_warnings(A.sigmoid, Z_HUGE)
    assert np.all(np.isfinite(s))
    expected = keras.activations.sigmoid(tf.constant(Z_HUGE.T, dtype=tf.float64)).numpy().T
    assert_close("stability:sigmoid at ±1000", s, expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_array_equal(s[Z_HUGE == 1000.0], 1.0)
    np.testing.assert_array_equal(s[Z_HUGE == -1000.0], 0.0)
    np.testing.assert_array_equal(s[Z_HUGE == 0.0], 0.5)


@pytest.mark.parametrize("prime", [A.sigmoid_prime, A.tanh_prime], ids=["sigmoid_prime", "tanh_prime"])
def test_derivatives_stable_at_1000(prime):
    d = _no_warnings(prime, Z_HUGE)
    assert np.all(np.isfinite(d))
    np.testing.assert_array_equal(d[np.abs(Z_HUGE) == 1000.0], 0.0)
