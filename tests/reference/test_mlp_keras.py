"""reference_impl.layers and TwoLayerNet against float64 Keras models and tf.GradientTape.

``dense_sequential(params, activations)`` builds a float64 keras.Sequential
holding the reference's weights (kernel = Wᵀ, bias = b.ravel()); Keras takes
examples as rows, so it is called on ``x.T`` and its outputs are transposed
back. Gradients: kernel_grad.T ↔ dW, bias_grad[:, None] ↔ db.

Tolerances: Keras' float64 Dense layers run float64 matmuls whose summation
order differs from NumPy's, so entries agree to a few ulps of the sum of
|terms| — rtol 1e-12 plus atol 1e-13·max(1, max|expected|) for entries that
cancel to near zero.
"""
import numpy as np
import pytest

from reference_impl.keras_builders import dense_sequential
from reference_impl.layers import dense_forward, mlp_backward, mlp_forward
from reference_impl.losses import mse_loss, mse_loss_grad
from reference_impl.two_layer_net import TwoLayerNet

from .compare import assert_close

pytestmark = pytest.mark.keras

RTOL = 1e-12


def assert_close_scaled(name, actual, desired):
    """rtol 1e-12, atol 1e-13·max(1, max|desired|) (summation-order noise, see module docstring)."""
    desired = np.asarray(desired, dtype=np.float64)
    atol = 1e-13 * max(1.0, float(np.max(np.abs(desired), initial=0.0)))
    assert_close(name, actual, desired, rtol=RTOL, atol=atol)


def _params(seed, sizes):
    """[(W (n_k, n_{k−1}), b (n_k, 1)), …] with N(0, 1/n_{k−1}) weights and N(0, 0.25) biases."""
    g = np.random.default_rng(seed)
    return [
        (g.standard_normal((n_out, n_in)) / np.sqrt(n_in), 0.5 * g.standard_normal((n_out, 1)))
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
    ]


def _sizes(n_layers):
    return [4, 6, 5, 3][: n_layers] + [3]


def _rows(tf, a):
    return tf.constant(np.asarray(a).T, dtype=tf.float64)


STACKS = [
    ["relu", "linear"],
    ["tanh", "sigmoid"],
    ["sigmoid", "relu", "softmax"],
    ["linear"],
]


# ------------------------------------------------------------------ forward
@pytest.mark.parametrize("m", [1, 7, 32])
@pytest.mark.parametrize("acts", STACKS, ids=lambda a: "-".join(a))
def test_mlp_forward_matches_dense_sequential(keras, tf, acts, m):
    sizes = _sizes(len(acts))
    params = _params(10 * len(acts) + m, sizes)
    x = np.random.default_rng(1000 + m).standard_normal((sizes[0], m)) * 2.0
    y, caches = mlp_forward(x, params, acts)
    assert y.shape == (sizes[-1], m) and len(caches) == len(acts)
    expected = dense_sequential(params, acts)(_rows(tf, x))
    assert expected.dtype == tf.float64
    assert_close_scaled(f"forward:mlp {'-'.join(acts)} m={m}", y, expected.numpy().T)


@pytest.mark.parametrize("activation", ["linear", "sigmoid", "tanh", "relu", "softmax"])
@pytest.mark.parametrize("m", [1, 7])
def test_dense_forward_matches_one_dense_layer(keras, tf, activation, m):
    (W, b), = _params(50 + m, [4, 3])
    a_prev = np.random.default_rng(60 + m).standard_normal((4, m)) * 3.0
    z, a = dense_forward(a_prev, W, b, activation)
    assert z.shape == a.shape == (3, m)
    xr = _rows(tf, a_prev)
    z_k = dense_sequential([(W, b)], ["linear"])(xr).numpy().T
    a_k = dense_sequential([(W, b)], [activation])(xr).numpy().T
    assert_close_scaled(f"forward:dense z ({activation}) m={m}", z, z_k)
    assert_close_scaled(f"forward:dense a ({activation}) m={m}", a, a_k)


def test_dense_forward_leaky_relu_matches_keras_with_slope_0_01(keras, tf):
    """Keras' activation *name* "leaky_relu" means slope 0.2 (the reference's default is 0.01),
    so dense_sequential cannot express it: the Dense layer gets the function with slope 0.01."""
    (W, b), = _params(70, [4, 3])
    a_prev = np.random.default_rng(71).standard_normal((4, 9)) * 3.0
    z, a = dense_forward(a_prev, W, b, "leaky_relu")
    layer = keras.layers.Dense(
        3, activation=lambda v: keras.activations.leaky_relu(v, negative_slope=0.01), dtype="float64"
    )
    layer.build((None, 4))
    layer.set_weights([W.T, b.ravel()])
    expected = layer(_rows(tf, a_prev)).numpy().T
    assert np.any(z < 0)  # the negative slope is exercised
    # TF keeps the slope as a float32 attribute (relative error ≤ 2**-24): rtol 1e-7
    assert_close("forward:dense a (leaky_relu 0.01)", a, expected, rtol=1e-7, atol=1e-13)
    # and the name alone means something else in Keras
    by_name = dense_sequential([(W, b)], ["leaky_relu"])(_rows(tf, a_prev)).numpy().T
    assert not np.allclose(a, by_name, rtol=1e-3)


# ----------------------------------------------------------------- backward
def _keras_grads(tf, model, x, loss_of_y):
    """[(dW, db), …] in the reference's layout from GradientTape on a Keras model."""
    xr = _rows(tf, x)
    variables = [v for layer in model.layers for v in (layer.kernel, layer.bias)]
    with tf.GradientTape() as tape:
        y = model(xr)
        loss = loss_of_y(y)
    grads = tape.gradient(loss, variables)
    assert all(g is not None and g.dtype == tf.float64 for g in grads)
    return [(gk.numpy().T, gb.numpy()[:, None]) for gk, gb in zip(grads[0::2], grads[1::2])]


LAST_ACTS = ["linear", "sigmoid", "tanh", "relu", "softmax"]


@pytest.mark.parametrize("m", [1, 5, 16])
@pytest.mark.parametrize("last", LAST_ACTS)
@pytest.mark.parametrize("hidden", [["tanh"], ["relu", "sigmoid"]], ids=lambda h: "-".join(h))
def test_mlp_backward_mse_matches_gradient_tape(keras, tf, hidden, last, m):
    acts = [*hidden, last]
    sizes = _sizes(len(acts))
    params = _params(100 + 7 * m + len(acts), sizes)
    g = np.random.default_rng(200 + m)
    x = g.standard_normal((sizes[0], m)) * 2.0
    t = g.standard_normal((sizes[-1], m))
    y, caches = mlp_forward(x, params, acts)
    grads = mlp_backward(mse_loss_grad(y, t), caches, params, acts)

    tt = _rows(tf, t)
    expected = _keras_grads(
        tf, dense_sequential(params, acts), x, lambda yk: 0.5 * tf.reduce_sum((yk - tt) ** 2) / m
    )
    assert len(grads) == len(params)
    for k, ((dW, db), (eW, eb), (W, b)) in enumerate(zip(grads, expected, params), start=1):
        assert dW.shape == W.shape and db.shape == b.shape
        assert_close_scaled(f"backward:mse {'-'.join(acts)} m={m} dW{k}", dW, eW)
        assert_close_scaled(f"backward:mse {'-'.join(acts)} m={m} db{k}", db, eb)


@pytest.mark.parametrize("m", [1, 7])
@pytest.mark.parametrize("last", LAST_ACTS)
def test_mlp_backward_arbitrary_dy_matches_gradient_tape(keras, tf, last, m):
    """dy arbitrary: the gradient of Σ dy ⊙ y (dy held constant) is what mlp_backward propagates."""
    acts = ["sigmoid", "tanh", last]
    sizes = _sizes(len(acts))
    params = _params(300 + m, sizes)
    g = np.random.default_rng(400 + m)
    x = g.standard_normal((sizes[0], m))
    dy = g.standard_normal((sizes[-1], m))
    y, caches = mlp_forward(x, params, acts)
    grads = mlp_backward(dy, caches, params, acts)

    dyr = _rows(tf, dy)
    expected = _keras_grads(tf, dense_sequential(params, acts), x, lambda yk: tf.reduce_sum(dyr * yk))
    for k, ((dW, db), (eW, eb)) in enumerate(zip(grads, expected), start=1):
        assert_close_scaled(f"backward:dy {'-'.join(acts)} m={m} dW{k}", dW, eW)
        assert_close_scaled(f"backward:dy {'-'.join(acts)} m={m} db{k}", db, eb)


# ------------------------------------------------------------- TwoLayerNet
def _net_with_biases(seed, n_in=3, n_hidden=5, n_out=2):
    """A TwoLayerNet whose biases are set to non-zero values, as the grader may assign them."""
    net = TwoLayerNet(n_in, n_hidden, n_out, seed=seed)
    g = np.random.default_rng(seed + 1)
    net.b1 = 0.5 * g.standard_normal((n_hidden, 1))
    net.b2 = 0.5 * g.standard_normal((n_out, 1))
    return net


def _net_params(net):
    return [(net.W1, net.b1), (net.W2, net.b2)]


@pytest.mark.parametrize("m", [1, 5])
def test_two_layer_net_forward_matches_keras(keras, tf, m):
    net = _net_with_biases(11)
    x = np.random.default_rng(12 + m).standard_normal((3, m))
    z1, a1, z2, y = net.forward(x)
    assert z1.shape == a1.shape == (5, m) and z2.shape == y.shape == (2, m)
    expected = dense_sequential(_net_params(net), ["sigmoid", "linear"])(_rows(tf, x)).numpy().T
    assert_close_scaled(f"twolayer:forward m={m}", y, expected)
    np.testing.assert_array_equal(y, z2)  # linear output


@pytest.mark.parametrize("m", [1, 5])
def test_two_layer_net_backward_matches_gradient_tape(keras, tf, m):
    net = _net_with_biases(21)
    g = np.random.default_rng(22 + m)
    x = g.standard_normal((3, m))
    t = g.standard_normal((2, m))
    got = net.backward(x, t)
    tt = _rows(tf, t)
    (eW1, eb1), (eW2, eb2) = _keras_grads(
        tf,
        dense_sequential(_net_params(net), ["sigmoid", "linear"]),
        x,
        lambda yk: 0.5 * tf.reduce_sum((yk - tt) ** 2) / m,  # mse_loss: ½ convention, mean over columns
    )
    for label, a, e, p in zip(["dW1", "db1", "dW2", "db2"], got, [eW1, eb1, eW2, eb2],
                              [net.W1, net.b1, net.W2, net.b2]):
        assert a.shape == p.shape
        assert_close_scaled(f"twolayer:backward m={m} {label}", a, e)


@pytest.mark.parametrize("m", [1, 5])
def test_two_layer_net_gradient_step(keras, tf, m):
    net = _net_with_biases(31)
    g = np.random.default_rng(32 + m)
    x = g.standard_normal((3, m))
    t = g.standard_normal((2, m))
    eta = 0.5  # a power of two: Keras keeps the learning rate in float32, exactly 0.5
    before = [p.copy() for p in (net.W1, net.b1, net.W2, net.b2)]
    grads = net.backward(x, t)
    loss_before = mse_loss(net.forward(x)[3], t)

    # Keras: one SGD step on the equivalent model, with tape gradients
    model = dense_sequential(_net_params(net), ["sigmoid", "linear"])
    variables = [v for layer in model.layers for v in (layer.kernel, layer.bias)]
    xr, tt = _rows(tf, x), _rows(tf, t)
    with tf.GradientTape() as tape:
        loss = 0.5 * tf.reduce_sum((model(xr) - tt) ** 2) / m
    keras.optimizers.SGD(learning_rate=eta).apply_gradients(zip(tape.gradient(loss, variables), variables))
    keras_after = [variables[0].numpy().T, variables[1].numpy()[:, None],
                   variables[2].numpy().T, variables[3].numpy()[:, None]]

    net.gradient_step(x, t, eta)
    after = [net.W1, net.b1, net.W2, net.b2]
    for label, p0, dp, p1, pk in zip(["W1", "b1", "W2", "b2"], before, grads, after, keras_after):
        assert p1.shape == p0.shape
        # exactly θ − η ∂J/∂θ, read back from the object's attributes
        np.testing.assert_array_equal(p1, p0 - eta * dp, err_msg=label)
        assert_close_scaled(f"twolayer:sgd step m={m} {label}", p1, pk)
    # a half-unit step on this small problem decreases the cost
    assert mse_loss(net.forward(x)[3], t) < loss_before


def test_two_layer_net_init_shapes_and_determinism():
    a = TwoLayerNet(4, 6, 3, seed=5)
    b = TwoLayerNet(4, 6, 3, seed=5)
    c = TwoLayerNet(4, 6, 3, seed=6)
    shapes = {"W1": (6, 4), "b1": (6, 1), "W2": (3, 6), "b2": (3, 1)}
    for name, shape in shapes.items():
        assert getattr(a, name).shape == shape, name
        assert getattr(a, name).dtype == np.float64, name
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert not np.array_equal(a.W1, c.W1) and not np.array_equal(a.W2, c.W2)
    # symmetry broken: weights not all equal
    assert np.unique(a.W1).size == a.W1.size and np.unique(a.W2).size == a.W2.size
    # biases start at zero
    np.testing.assert_array_equal(a.b1, 0.0)
    np.testing.assert_array_equal(a.b2, 0.0)
    # weights ~ N(0, 1/n_in): a loose scale check over a larger layer (std within 25 %)
    big = TwoLayerNet(400, 300, 1, seed=0)
    assert abs(big.W1.std() * np.sqrt(400) - 1.0) < 0.25
