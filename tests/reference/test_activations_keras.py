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


# ------------------------------------------------------------------ the other activations (issue 14, item 5)
# softplus, ELU, SELU, swish (Keras' silu) and GELU, values against keras.activations in float64 and each
# derivative against tf.GradientTape of the Keras activation. Contract: docs/contract-activations.md.
def _other_keras_fn(keras, name, arg=None):
    if name == "elu":
        return lambda x: keras.activations.elu(x, alpha=arg)
    if name == "gelu":
        return lambda x: keras.activations.gelu(x, approximate=arg)
    return getattr(keras.activations, name)


# (label, reference function, Keras name, argument, rtol, atol)
# Measured (seeds 0–3, inputs with ±1000, ±40, ±1e-3 and 0): softplus, ELU, SELU and swish agree to a few
# ulps (rtol 1e-12); TF's ELU for alpha ≠ 1 is alpha·elu(x), the reference's alpha·expm1(z): the same.
# GELU (both forms) has its own tests below. atol 1e-300 only for values that underflow (swish at z ≈ −1000:
# −1000·e^−1000 is 0 on both sides, but one side may give a denormal).
OTHER_CASES = [
    ("softplus", A.softplus, "softplus", None, 1e-12, 1e-300),
    ("elu", A.elu, "elu", 1.0, 1e-12, 1e-300),
    ("elu(alpha=0.5)", lambda z: A.elu(z, alpha=0.5), "elu", 0.5, 1e-12, 1e-300),
    ("elu(alpha=1.7)", lambda z: A.elu(z, alpha=1.7), "elu", 1.7, 1e-12, 1e-300),
    ("selu", A.selu, "selu", None, 1e-12, 1e-300),
    ("silu", A.swish, "silu", None, 1e-12, 1e-300),
    ("swish", A.swish, "swish", None, 1e-12, 1e-300),
]


@pytest.mark.parametrize("label, ref, name, arg, rtol, atol", OTHER_CASES, ids=[c[0] for c in OTHER_CASES])
@pytest.mark.parametrize("seed", [0, 1])
def test_other_activation_matches_keras(tf, keras, label, ref, name, arg, rtol, atol, seed):
    z = _inputs(seed)
    got = ref(z)
    expected = _other_keras_fn(keras, name, arg)(tf.constant(z.T, dtype=tf.float64))
    assert expected.dtype == tf.float64
    assert got.shape == z.shape and got.dtype == np.float64
    assert np.all(np.isfinite(got))
    assert_close(f"act:{label},seed={seed}", got, expected.numpy().T, rtol=rtol, atol=atol)


# GELU. Measured (TF 2.21): tf.nn.gelu in float64 rounds one constant of each form to float32 —
# approximate=False computes ½x·erfc(−x·c) with c = 1/√2 as a float32 (0.70710677, relative error 3e-8),
# approximate=True computes ½x(1 + tanh(√(2/π)(x + k·x³))) with k = 0.044715 as a float32 (0.0447149985).
# So Keras' float64 GELU differs from the formula in float64 by a relative ≈ 2c²z²·3e-8 for the exact form
# (1e-8 at |z| ≈ 1, 7e-6 for the derivative at z ≈ −5, 2e-5 at z ≈ −20) and up to 3.4e-7 for the tanh form
# (over _inputs). The reference computes the formulas in float64. Proven in three steps: (1) the formulas
# written here independently, with TF's float32 constants, are Keras' outputs and tape derivatives to ≈ 1 ulp,
# at every z; (2) the same formulas with the float64 constants are the reference's (rtol 1e-12: z·(1/√2) and
# z/√2 differ by an ulp, which erfc's far tail amplifies to ≈ 2e-13); (3) the
# reference and Keras agree directly within rtol 1e-6 (the tanh form, every z) or 1e-5 (the exact form and its
# derivative for |z| ≤ 5).
_F32 = lambda v: float(np.float32(v))  # noqa: E731
_erfc = np.vectorize(__import__("math").erfc, otypes=[np.float64])
_SQRT_2_OVER_PI = float(np.sqrt(2.0 / np.pi))


def _gelu_exact(z, c):
    return 0.5 * z * _erfc(-z * c)


def _gelu_exact_prime(z, c):
    return 0.5 * _erfc(-z * c) + z * c * np.exp(-((c * z) ** 2)) / np.sqrt(np.pi)


def _gelu_tanh(z, k):
    return 0.5 * z * (1.0 + np.tanh(_SQRT_2_OVER_PI * (z + k * z ** 3)))


@pytest.mark.parametrize("seed", [0, 1])
def test_keras_gelu_is_the_formula_with_tfs_float32_constants(tf, keras, seed):
    z = _inputs(seed)
    x = tf.constant(z.T, dtype=tf.float64)
    c32, k32 = _F32(1.0 / np.sqrt(2.0)), _F32(0.044715)
    assert_close(f"act:gelu(TF's formula),seed={seed}", _gelu_exact(z, c32),
                 keras.activations.gelu(x, approximate=False).numpy().T, rtol=1e-13, atol=1e-300)
    assert_close(f"act:gelu(default is exact),seed={seed}", _gelu_exact(z, c32), keras.activations.gelu(x).numpy().T,
                 rtol=1e-13, atol=1e-300)
    tape = _tape_derivative(tf, lambda v: keras.activations.gelu(v, approximate=False), z)
    assert_close(f"d/dz:gelu(TF's formula),seed={seed}", _gelu_exact_prime(z, c32), tape, rtol=1e-12, atol=1e-15)
    assert_close(f"act:gelu(approximate=True, TF's formula),seed={seed}", _gelu_tanh(z, k32),
                 keras.activations.gelu(x, approximate=True).numpy().T, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("seed", [0, 1])
def test_reference_gelu_is_the_formula_in_float64(seed):
    z = _inputs(seed)
    c = 1.0 / np.sqrt(2.0)
    assert_close(f"act:gelu(float64 formula),seed={seed}", A.gelu(z), _gelu_exact(z, c), rtol=1e-12, atol=1e-300)
    assert_close(f"act:gelu(approximate=True, float64 formula),seed={seed}", A.gelu(z, approximate=True),
                 _gelu_tanh(z, 0.044715), rtol=1e-12, atol=1e-300)
    assert_close(f"d/dz:gelu(float64 formula),seed={seed}", A.gelu_prime(z), _gelu_exact_prime(z, c), rtol=1e-12,
                 atol=1e-16)


@pytest.mark.parametrize("seed", [0, 1])
def test_reference_gelu_matches_keras(tf, keras, seed):
    z = _inputs(seed)
    x = tf.constant(z.T, dtype=tf.float64)
    assert_close(f"act:gelu(approximate=True),seed={seed}", A.gelu(z, approximate=True),
                 keras.activations.gelu(x, approximate=True).numpy().T, rtol=1e-6, atol=1e-300)
    g = np.random.default_rng(seed)
    z = np.concatenate([g.standard_normal((4, 9)), g.uniform(-5.0, 5.0, (4, 9))])
    z[0, :4] = [0.0, -5.0, 5.0, -0.75]
    x = tf.constant(z.T, dtype=tf.float64)
    assert_close(f"act:gelu,seed={seed}", A.gelu(z), keras.activations.gelu(x, approximate=False).numpy().T,
                 rtol=1e-5, atol=1e-10)
    tape = _tape_derivative(tf, lambda v: keras.activations.gelu(v, approximate=False), z)
    assert_close(f"d/dz:gelu,seed={seed}", A.gelu_prime(z), tape, rtol=1e-5, atol=1e-10)


def test_other_activations_default_arguments(tf, keras):
    z = _inputs(2)
    x = tf.constant(z.T, dtype=tf.float64)
    assert_close("act:elu(default alpha = 1)", A.elu(z), keras.activations.elu(x).numpy().T, rtol=1e-12,
                 atol=1e-300)
    # the constants are Keras' own (tf.nn.selu's): λ = selu(1), λα = −lim selu(z) as z → −∞
    assert A.SELU_SCALE == pytest.approx(float(keras.activations.selu(tf.constant(1.0, tf.float64))), rel=1e-15)
    assert A.SELU_SCALE * A.SELU_ALPHA == pytest.approx(
        -float(keras.activations.selu(tf.constant(-1000.0, tf.float64))), rel=1e-15)


# (label, reference derivative, Keras name, argument, avoid_zero, rtol, atol)
# ELU and SELU are kinked at 0 (for alpha ≠ 1; SELU always): inputs kept ≥ 1e-3 away from 0, as for ReLU;
# their value at 0 is tested below. The smooth ones are compared at 0 too. TF's ELU and SELU gradients are
# computed from the output, as (e^z − 1) + 1 (times α, λα), which cancels for z ≪ 0 (0 at z = −40 where
# α·e^z = 4e-18; relative error 7e-4 at z ≈ −30): atol 1e-15, a few ulps of 1 (measured ≤ 1.6e-16), rtol
# 1e-12. swish' = σ + zσ(1 − σ) loses relative precision where it crosses 0 (z ≈ −1.28): atol 1e-15.
OTHER_DERIVATIVE_CASES = [
    ("softplus", A.softplus_prime, "softplus", None, False, 1e-12, 1e-300),
    ("elu", A.elu_prime, "elu", 1.0, True, 1e-12, 1e-15),
    ("elu(alpha=0.5)", lambda z: A.elu_prime(z, alpha=0.5), "elu", 0.5, True, 1e-12, 1e-15),
    ("selu", A.selu_prime, "selu", None, True, 1e-12, 1e-15),
    ("silu", A.swish_prime, "silu", None, False, 1e-12, 1e-15),
]


@pytest.mark.parametrize("label, prime, name, arg, avoid_zero, rtol, atol", OTHER_DERIVATIVE_CASES,
                         ids=[c[0] for c in OTHER_DERIVATIVE_CASES])
@pytest.mark.parametrize("seed", [10, 11])
def test_other_derivative_matches_gradient_tape(tf, keras, label, prime, name, arg, avoid_zero, rtol, atol, seed):
    z = _inputs(seed, avoid_zero=avoid_zero)
    got = prime(z)
    expected = _tape_derivative(tf, _other_keras_fn(keras, name, arg), z)
    assert got.shape == z.shape and got.dtype == np.float64
    assert np.all(np.isfinite(got))
    assert_close(f"d/dz:{label},seed={seed}", got, expected, rtol=rtol, atol=atol)


def test_elu_and_selu_derivatives_at_zero_take_the_z_le_0_branch(tf, keras):
    # the course's convention at the kink (as relu_prime): the z ≤ 0 branch, alpha·e^0 = alpha and λα
    z = np.zeros((1, 2))
    np.testing.assert_array_equal(A.elu_prime(z), [[1.0, 1.0]])
    np.testing.assert_array_equal(A.elu_prime(z, alpha=0.5), [[0.5, 0.5]])
    np.testing.assert_allclose(A.selu_prime(z), A.SELU_SCALE * A.SELU_ALPHA, rtol=1e-15)
    # Keras agrees for ELU (its alpha ≠ 1 path is tf.where(x > 0, elu(x), alpha·elu(x)), so x = 0 takes alpha)
    assert_close("d/dz:elu(alpha=0.5) at 0", A.elu_prime(z, alpha=0.5),
                 _tape_derivative(tf, _other_keras_fn(keras, "elu", 0.5), z), rtol=1e-15)
    # … and not for SELU: TF's SeluGrad takes the z > 0 branch where the output is 0 (measured: λ at z = 0).
    # The course keeps one rule for every kink; docs/contract-activations.md says so.
    np.testing.assert_allclose(_tape_derivative(tf, keras.activations.selu, z), A.SELU_SCALE, rtol=1e-15)


@pytest.mark.parametrize("f", [A.softplus, A.swish, A.elu, A.selu, A.gelu, A.softplus_prime, A.elu_prime,
                               A.selu_prime, A.swish_prime, A.gelu_prime],
                         ids=lambda f: f.__name__)
def test_other_activations_stable_at_1000(f):
    out = _no_warnings(f, Z_HUGE)
    assert np.all(np.isfinite(out))


def test_softplus_and_swish_known_values_at_1000():
    s = _no_warnings(A.softplus, Z_HUGE)
    np.testing.assert_array_equal(s[Z_HUGE == 1000.0], 1000.0)
    np.testing.assert_array_equal(s[Z_HUGE == -1000.0], 0.0)
    np.testing.assert_allclose(s[Z_HUGE == 0.0], np.log(2.0), rtol=1e-15)
    w = _no_warnings(A.swish, Z_HUGE)
    np.testing.assert_array_equal(w[Z_HUGE == 1000.0], 1000.0)
    np.testing.assert_array_equal(w[Z_HUGE == -1000.0], 0.0)
