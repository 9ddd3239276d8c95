"""reference_impl.losses against keras.losses and tf.GradientTape.

Keras takes examples as rows and ``loss(y_true, y_pred)``; the reference takes
columns and ``loss(y, t)``, so Keras gets ``(t.T, y.T)``. Keras loss objects
cast their inputs to the loss' ``dtype``, which defaults to float32 even for
float64 tensors: every loss here is built with ``dtype="float64"``.

Scaling (Keras' default reduction averages the per-example losses over the batch):
* MeanSquaredError averages over the n_out outputs: reference = ½·n_out·keras.
* CategoricalCrossentropy sums over classes: reference = keras.
* BinaryCrossentropy averages over the n_out outputs: reference = n_out·keras.
Keras clips probabilities to [1e-7, 1 − 1e-7]; every y here lies in [0.02, 0.98].
"""
import numpy as np
import pytest

from reference_impl import losses as L
from reference_impl.activations import softmax

from .compare import assert_close

pytestmark = pytest.mark.keras


SHAPES = [(1, 1), (3, 1), (1, 8), (4, 8)]  # (n_out, m)


def _one_hot(g, n, m):
    t = np.zeros((n, m))
    t[g.integers(0, n, m), np.arange(m)] = 1.0
    return t


def _regression(seed, n, m):
    g = np.random.default_rng(seed)
    return g.standard_normal((n, m)) * 2.0, g.standard_normal((n, m))


def _probabilities(seed, n, m, soft_targets=False):
    """y in [0.02, 0.98] (well inside Keras' clip) and t binary (or soft, in [0, 1])."""
    g = np.random.default_rng(seed)
    y = g.uniform(0.02, 0.98, (n, m))
    t = g.uniform(0.0, 1.0, (n, m)) if soft_targets else g.integers(0, 2, (n, m)).astype(float)
    return y, t


def _softmax_outputs(seed, n, m, scale=1.0):
    g = np.random.default_rng(seed)
    z = g.standard_normal((n, m)) * scale
    return z, softmax(z), _one_hot(g, n, m)


def _rows(tf, a):
    return tf.constant(np.asarray(a).T, dtype=tf.float64)


# ----------------------------------------------------------------- values
@pytest.mark.parametrize("n, m", SHAPES)
def test_mse_loss_is_half_n_out_times_keras_mse(tf, keras, n, m):
    y, t = _regression(100 + 10 * n + m, n, m)
    k = keras.losses.MeanSquaredError(dtype="float64")(_rows(tf, t), _rows(tf, y))
    assert k.dtype == tf.float64
    got = L.mse_loss(y, t)
    assert isinstance(got, float)
    assert_close(f"loss:mse n={n} m={m}", got, 0.5 * n * float(k), rtol=1e-12)


@pytest.mark.parametrize("n, m", [(2, 1), (3, 1), (4, 8), (10, 32)])
def test_cross_entropy_loss_equals_keras_categorical(tf, keras, n, m):
    _, y, t = _softmax_outputs(200 + n + m, n, m)
    assert y.min() > 1e-5  # away from Keras' clip at 1e-7
    k = keras.losses.CategoricalCrossentropy(dtype="float64")(_rows(tf, t), _rows(tf, y))
    assert k.dtype == tf.float64
    # Keras renormalises y by its column sum (1 within 1 ulp): rtol 1e-12
    assert_close(f"loss:ce n={n} m={m}", L.cross_entropy_loss(y, t), float(k), rtol=1e-12)


@pytest.mark.parametrize("soft", [False, True], ids=["binary_t", "soft_t"])
@pytest.mark.parametrize("n, m", SHAPES)
def test_binary_cross_entropy_is_n_out_times_keras(tf, keras, n, m, soft):
    y, t = _probabilities(300 + 10 * n + m, n, m, soft_targets=soft)
    k = keras.losses.BinaryCrossentropy(dtype="float64")(_rows(tf, t), _rows(tf, y))
    assert k.dtype == tf.float64
    # the reference uses log1p(−y), Keras log(1 − y): equal to a few ulps here
    assert_close(f"loss:bce n={n} m={m} soft={soft}", L.binary_cross_entropy_loss(y, t), n * float(k), rtol=1e-12)


# -------------------------------------------------------------- gradients
def _tape_grad(tf, loss_fn, y, t):
    """∂ loss_fn(t_rows, y_rows) / ∂y, back in columns."""
    yr, tr = _rows(tf, y), _rows(tf, t)
    with tf.GradientTape() as tape:
        tape.watch(yr)
        value = loss_fn(tr, yr)
    g = tape.gradient(value, yr)
    assert g.dtype == tf.float64
    return g.numpy().T


@pytest.mark.parametrize("n, m", SHAPES)
def test_mse_loss_grad_matches_tape_of_keras_mse(tf, keras, n, m):
    y, t = _regression(400 + 10 * n + m, n, m)
    mse = keras.losses.MeanSquaredError(dtype="float64")
    expected = _tape_grad(tf, lambda tr, yr: 0.5 * n * mse(tr, yr), y, t)
    assert_close(f"grad:mse n={n} m={m}", L.mse_loss_grad(y, t), expected, rtol=1e-12)


@pytest.mark.parametrize("n, m", [(2, 1), (3, 1), (4, 8), (10, 32)])
def test_cross_entropy_loss_grad_matches_tape(tf, keras, n, m):
    _, y, t = _softmax_outputs(500 + n + m, n, m)
    assert y.min() > 1e-5  # away from Keras' clip at 1e-7 (its gradient would be 0 there)
    got = L.cross_entropy_loss_grad(y, t)
    # the loss written in TF ops: −Σ t log y / m
    expected = _tape_grad(tf, lambda tr, yr: -tf.reduce_sum(tr * tf.math.log(yr)) / m, y, t)
    assert_close(f"grad:ce(tf ops) n={n} m={m}", got, expected, rtol=1e-12)
    # Keras' CategoricalCrossentropy divides y by its column sum S before the log,
    # so its gradient w.r.t. y is −t/(m y) + Σt/(m S) = reference + 1/(m S) per
    # entry: the same gradient along the simplex, shifted by a constant.
    cce = keras.losses.CategoricalCrossentropy(dtype="float64")
    keras_grad = _tape_grad(tf, cce, y, t)
    shift = 1.0 / (m * y.sum(axis=0, keepdims=True))
    assert_close(f"grad:ce(keras, shifted) n={n} m={m}", got + shift, keras_grad, rtol=1e-12, atol=1e-14 / m)


@pytest.mark.parametrize("soft", [False, True], ids=["binary_t", "soft_t"])
@pytest.mark.parametrize("n, m", SHAPES)
def test_binary_cross_entropy_grad_matches_tape_of_keras(tf, keras, n, m, soft):
    y, t = _probabilities(600 + 10 * n + m, n, m, soft_targets=soft)
    bce = keras.losses.BinaryCrossentropy(dtype="float64")
    expected = _tape_grad(tf, lambda tr, yr: n * bce(tr, yr), y, t)
    assert_close(f"grad:bce n={n} m={m} soft={soft}", L.binary_cross_entropy_loss_grad(y, t), expected, rtol=1e-12)


@pytest.mark.parametrize("scale", [1.0, 10.0, 1000.0])
@pytest.mark.parametrize("n, m", [(2, 1), (3, 1), (4, 8), (10, 32)])
def test_softmax_cross_entropy_delta_matches_tape_from_logits(tf, keras, n, m, scale):
    z, _, t = _softmax_outputs(700 + n + m + int(scale), n, m, scale=scale)
    cce = keras.losses.CategoricalCrossentropy(from_logits=True, dtype="float64")
    expected = _tape_grad(tf, cce, z, t)  # ∂/∂z of mean_m softmax_cross_entropy_with_logits
    got = L.softmax_cross_entropy_delta(z, t)
    # entries (softmax − t)/m in [−1/m, 1/m]; tiny probabilities (< 1e-300 at
    # scale 1000) compared to atol 1e-15/m
    assert_close(f"grad:softmax_ce_delta n={n} m={m} scale={scale}", got, expected, rtol=1e-12, atol=1e-15 / m)
    np.testing.assert_allclose(got.sum(axis=0), 0.0, rtol=0, atol=1e-15)


@pytest.mark.parametrize("n, m", [(3, 1), (4, 8)])
def test_softmax_cross_entropy_delta_is_chain_of_softmax_and_ce_grad(tf, keras, n, m):
    """Keras' loss value from logits equals cross_entropy_loss(softmax(z), t)."""
    z, y, t = _softmax_outputs(800 + n + m, n, m)
    k = keras.losses.CategoricalCrossentropy(from_logits=True, dtype="float64")(_rows(tf, t), _rows(tf, z))
    assert_close(f"loss:ce from logits n={n} m={m}", L.cross_entropy_loss(y, t), float(k), rtol=1e-12)


def test_loss_shape_mismatch_raises():
    with pytest.raises(ValueError):
        L.mse_loss(np.zeros((2, 3)), np.zeros((3, 2)))
