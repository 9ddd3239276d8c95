"""Prove ``reference_impl.regularization`` against Keras' L1/L2 regularizers (SPEC, ex4).

Keras layout: a Dense kernel is Wᵀ (n_in, n_out), the bias a vector; data go
in as rows (x.T). Layers are float64.

Keras computes ``ops.cast(λ, x.dtype) * sum(…)``, and that cast of a Python
float goes through float32: λ = 2**-5 is exact, λ = 0.01 becomes
0.0099999998 (relative error 2.2e-8). Tolerances:
* λ a power of two: rtol 1e-12 (float64 rounding only; measured ≤ 1.8e-16
  for penalties and their gradients, ≤ 1.6e-15 for the change of W in an
  SGD step);
* λ = 0.01: rtol 1e-7 (≥ 2**-24 ≈ 6e-8, the float32 rounding bound of λ;
  measured 2.2e-8 for penalties and gradients, 5.3e-10 for the SGD step).
SGD steps use η = 2**-3 (Keras' learning rate is a float32 variable) and are
compared on the *change* W_new − W, which is stricter than comparing W_new.
"""
import numpy as np
import pytest

from reference_impl.regularization import (
    l1_grad,
    l1_penalty,
    l2_grad,
    l2_penalty,
    regularized_update,
    sgd_l1_step,
    sgd_weight_decay_step,
)

pytestmark = pytest.mark.keras

ETA = 2**-3
#: (λ, rtol): a float32-exact λ and one that float32 rounds.
LAMS = [pytest.param(2**-5, 1e-12, id="lam=2^-5"), pytest.param(0.01, 1e-7, id="lam=0.01")]
N_IN, N_OUT, M = 5, 3, 8


@pytest.fixture
def data():
    """W (3, 5) without zeros, b (3, 1), X (5, 8), T (3, 8)."""
    rng = np.random.default_rng(11)
    W = rng.standard_normal((N_OUT, N_IN))
    assert np.all(W != 0)
    return W, rng.standard_normal((N_OUT, 1)), rng.standard_normal((N_IN, M)), rng.standard_normal((N_OUT, M))


def regularizer(keras, kind, lam):
    return keras.regularizers.L2(lam) if kind == "l2" else keras.regularizers.L1(lam)


def dense(keras, W, b, kernel_regularizer=None, activation=None):
    layer = keras.layers.Dense(W.shape[0], activation=activation, kernel_regularizer=kernel_regularizer, dtype="float64")
    layer.build((None, W.shape[1]))
    layer.set_weights([W.T, b.ravel()])
    return layer


def data_grads(W, b, X, T):
    """Gradient of the MSE (½‖y − t‖², mean over the m columns) of y = WX + b, by hand."""
    E = W @ X + b - T
    m = X.shape[1]
    return E @ X.T / m, E.sum(axis=1, keepdims=True) / m


def assert_change_close(new, old, expected_new, rtol):
    """Compare the change new − old with expected_new − old (SPEC rule, atol scaled to the array)."""
    d_exp = expected_new - old
    np.testing.assert_allclose(new - old, d_exp, rtol=rtol, atol=rtol * np.max(np.abs(d_exp)))


# --------------------------------------------------------------------------
# Penalties
# --------------------------------------------------------------------------

@pytest.mark.parametrize("lam, rtol", LAMS)
@pytest.mark.parametrize("kind", ["l2", "l1"])
def test_penalty_equals_keras_layer_loss(keras, data, kind, lam, rtol):
    W, b, X, _ = data
    layer = dense(keras, W, b, regularizer(keras, kind, lam))
    layer(X.T)
    assert len(layer.losses) == 1
    keras_loss = float(layer.losses[0])
    penalty = (l2_penalty if kind == "l2" else l1_penalty)([W], lam)
    assert isinstance(penalty, float)
    assert penalty == pytest.approx(keras_loss, rel=rtol, abs=0)


@pytest.mark.parametrize("kind", ["l2", "l1"])
def test_penalty_sums_over_layers_and_leaves_biases_out(keras, data, kind):
    """A 2-layer model's regularization losses (kernels only) equal the penalty of [W1, W2]."""
    W1, b1, X, _ = data
    rng = np.random.default_rng(12)
    W2, b2 = rng.standard_normal((2, N_OUT)), rng.standard_normal((2, 1))
    lam = 2**-5
    l1_ = dense(keras, W1, b1, regularizer(keras, kind, lam), "tanh")
    l2_ = dense(keras, W2, b2, regularizer(keras, kind, lam))
    l2_(l1_(X.T))
    keras_total = float(sum(l1_.losses) + sum(l2_.losses))
    penalty = (l2_penalty if kind == "l2" else l1_penalty)([W1, W2], lam)
    assert penalty == pytest.approx(keras_total, rel=1e-12, abs=0)
    # biases are not penalised: adding them would change the value
    with_biases = (l2_penalty if kind == "l2" else l1_penalty)([W1, W2, b1, b2], lam)
    assert with_biases > penalty * (1 + 1e-6)


@pytest.mark.parametrize("lam, rtol", LAMS)
@pytest.mark.parametrize("kind", ["l2", "l1"])
def test_penalty_gradient_equals_gradient_tape(keras, tf, kind, lam, rtol):
    """l2_grad = 2λW and l1_grad = λ·sign(W) (sign(0) = 0) equal TF's gradients of the regularizers."""
    rng = np.random.default_rng(13)
    W = rng.standard_normal((N_OUT, N_IN))
    W[0, :2] = 0.0  # TF's d|x|/dx at 0 is sign(0) = 0, as the reference
    kernel = tf.Variable(W.T)
    with tf.GradientTape() as tape:
        loss = regularizer(keras, kind, lam)(kernel)
    keras_grad = tape.gradient(loss, kernel).numpy().T
    grad = (l2_grad if kind == "l2" else l1_grad)(W, lam)
    assert grad.shape == W.shape
    np.testing.assert_allclose(grad, keras_grad, rtol=rtol, atol=0)
    if kind == "l2":
        np.testing.assert_array_equal(grad, 2 * lam * W)
    else:
        np.testing.assert_array_equal(grad[0, :2], 0.0)


# --------------------------------------------------------------------------
# One SGD step
# --------------------------------------------------------------------------

def keras_sgd_step(keras, tf, layer, X, T):
    """One Keras SGD step on MSE + the layer's regularization losses.

    Returns (data-loss gradient (dW, db) in the reference layout, new W, new b).
    """
    m = X.shape[1]
    with tf.GradientTape(persistent=True) as tape:
        y = layer(X.T)
        data_loss = 0.5 * tf.reduce_sum((y - T.T) ** 2) / m
        total = data_loss + tf.add_n(layer.losses)
    dK, db = tape.gradient(data_loss, layer.trainable_variables)
    grads = tape.gradient(total, layer.trainable_variables)
    del tape
    opt = keras.optimizers.SGD(learning_rate=ETA)
    opt.apply(grads, layer.trainable_variables)
    K_new, b_new = layer.get_weights()
    return (dK.numpy().T, db.numpy().reshape(-1, 1)), K_new.T, b_new.reshape(-1, 1)


@pytest.mark.parametrize("lam, rtol", LAMS)
@pytest.mark.parametrize("kind", ["l2", "l1"])
def test_sgd_step_equals_keras_sgd(keras, tf, data, kind, lam, rtol):
    """sgd_weight_decay_step / sgd_l1_step = Keras SGD on data loss + L2/L1 regularizer; biases do not decay."""
    W, b, X, T = data
    layer = dense(keras, W, b, regularizer(keras, kind, lam))
    (dW_tape, db_tape), W_new, b_new = keras_sgd_step(keras, tf, layer, X, T)

    dW, db = data_grads(W, b, X, T)
    np.testing.assert_allclose(dW_tape, dW, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(db_tape, db, rtol=1e-12, atol=1e-14)

    step = sgd_weight_decay_step if kind == "l2" else sgd_l1_step
    assert_change_close(W_new, W, step(W, dW, ETA, lam), rtol)
    assert_change_close(b_new, b, b - ETA * db, 1e-12)
    # the penalty's part of the step is visible: a step without it is far off
    with pytest.raises(AssertionError):
        assert_change_close(W_new, W, W - ETA * dW, 1e-3)


def test_sgd_l1_step_sign_zero(keras, tf, data):
    """Entries of W that are exactly 0 move only by −η·dW (sign(0) = 0); Keras agrees."""
    W, b, X, T = data
    W = W.copy()
    zeros = (np.arange(W.size).reshape(W.shape) % 4) == 0
    W[zeros] = 0.0
    dW, db = data_grads(W, b, X, T)
    lam = 2**-5
    new = sgd_l1_step(W, dW, ETA, lam)
    np.testing.assert_array_equal(new[zeros], -ETA * dW[zeros])
    np.testing.assert_allclose(new[~zeros], W[~zeros] - ETA * lam * np.sign(W[~zeros]) - ETA * dW[~zeros], rtol=1e-15)

    layer = dense(keras, W, b, keras.regularizers.L1(lam))
    _, W_new, _ = keras_sgd_step(keras, tf, layer, X, T)
    assert_change_close(W_new, W, new, 1e-12)


def test_regularized_update_equals_keras_two_layer_sgd(keras, tf, data):
    """regularized_update on [(W1, b1), (W2, b2)] = one Keras SGD step of a 2-layer L2-regularised model,
    and = sgd_weight_decay_step per layer for W, b − η·db for b."""
    W1, b1, X, _ = data
    rng = np.random.default_rng(14)
    W2, b2, T = rng.standard_normal((2, N_OUT)), rng.standard_normal((2, 1)), rng.standard_normal((2, M))
    lam = 2**-5
    layers = [dense(keras, W1, b1, keras.regularizers.L2(lam), "tanh"),
              dense(keras, W2, b2, keras.regularizers.L2(lam))]
    variables = [v for layer in layers for v in layer.trainable_variables]
    with tf.GradientTape(persistent=True) as tape:
        y = layers[1](layers[0](X.T))
        data_loss = 0.5 * tf.reduce_sum((y - T.T) ** 2) / M
        total = data_loss + tf.add_n(layers[0].losses + layers[1].losses)
    g_data = [g.numpy() for g in tape.gradient(data_loss, variables)]
    g_total = tape.gradient(total, variables)
    del tape
    keras.optimizers.SGD(learning_rate=ETA).apply(g_total, variables)

    params = [(W1, b1), (W2, b2)]
    grads = [(g_data[0].T, g_data[1].reshape(-1, 1)), (g_data[2].T, g_data[3].reshape(-1, 1))]
    new = regularized_update(params, grads, ETA, lam)
    assert isinstance(new, list) and len(new) == 2
    for (W_new, b_new), (W, b), (dW, db), layer in zip(new, params, grads, layers):
        assert W_new.shape == W.shape and b_new.shape == b.shape
        np.testing.assert_allclose(W_new, sgd_weight_decay_step(W, dW, ETA, lam), rtol=1e-15, atol=0)
        np.testing.assert_allclose(b_new, b - ETA * db, rtol=1e-15, atol=0)
        K_keras, b_keras = layer.get_weights()
        assert_change_close(K_keras.T, W, W_new, 1e-12)
        assert_change_close(b_keras.reshape(-1, 1), b, b_new, 1e-12)


def test_regularized_update_leaves_biases_undecayed():
    """With zero gradients weights shrink by (1 − 2ηλ) and biases stay put."""
    rng = np.random.default_rng(15)
    params = [(rng.standard_normal((4, 3)), rng.standard_normal((4, 1))),
              (rng.standard_normal((2, 4)), rng.standard_normal((2, 1)))]
    grads = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    new = regularized_update(params, grads, 0.1, 0.05)
    for (W_new, b_new), (W, b) in zip(new, params):
        np.testing.assert_allclose(W_new, 0.99 * W, rtol=1e-15)
        np.testing.assert_array_equal(b_new, b)


def test_regularized_update_rejects_mismatched_lists():
    params = [(np.ones((2, 2)), np.ones((2, 1)))] * 2
    with pytest.raises(ValueError, match="2 parameter pairs but 1 gradient pairs"):
        regularized_update(params, params[:1], 0.1, 0.01)
