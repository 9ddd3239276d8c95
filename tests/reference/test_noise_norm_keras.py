"""Prove ``reference_impl.noise_norm`` against Keras' GaussianNoise, GaussianDropout and
LayerNormalization (SPEC, ex10).

Noise layers (random): the reference and Keras draw from different streams, so
they are compared by distribution. For GaussianNoise the samples are
d = out − a, which must be N(0, stddev²); for GaussianDropout they are
r = out / a (a has no entries near 0), which must be N(1, rate/(1 − rate)).
On n = 100 000 samples standardised to y = (d − μ)/σ, :func:`assert_standard_normal`
requires all three of

* mean:     |ȳ| ≤ 5.3/√n. ȳ is exactly N(0, 1/n): false failure 1.2e-7;
* variance: |s² − 1| ≤ 5.3·√(2/(n − 1)), s² the unbiased sample variance,
  (n − 1)s² ~ χ²(n − 1). By the Wilson–Hilferty approximation (accurate to
  well under 1e-8 here) the two tails together are below 1.6e-7;
* shape:    sup_x |F_n(x) − Φ(x)| ≤ ε with ε = √(ln(2/5e-7)/(2n)) ≈ 0.0087.
  By the Dvoretzky–Kiefer–Wolfowitz inequality (Massart's constant, exact for
  every n) a correct sample exceeds it with probability ≤ 5e-7.

so a correct implementation fails one call with probability below 1e-6 (and,
with the fixed seeds here, never). The same bounds reject the plausible wrong
distributions by a wide margin (see ``test_distribution_check_has_power``):
a standard deviation off by 5 % moves s² by 0.1 (bound 0.024), a uniform of
the right variance is 0.05 away from Φ in sup-norm (bound 0.0087).

Layer normalisation (deterministic): the reference normalises each column of
x (n, m) over its n features (axis 0); Keras normalises each row of x.T (m, n)
over axis −1. Keras 3.15 (TensorFlow backend) computes in float64 when the layer
is float64: ``moments`` (biased variance), ε inside the square root. Tolerances
on |a − b| ≤ rtol·|b| + rtol·max|b|: forward rtol 1e-12 (measured: absolute
error ≤ 2.8e-15), backward through GradientTape rtol 1e-10 (measured ≤ 4.0e-15),
Keras' default float32 layer rtol 1e-5 (measured absolute error 1.0e-6 on
outputs of size ~3); the numerical gradient check is the reference's
check_gradient (relative error < 1e-6; measured ≤ 3.1e-9). Figures from
``REFERENCE_ERRORS=/tmp/err.tsv pytest tests/reference/test_noise_norm_keras.py``.
"""
import math

import numpy as np
import pytest

from reference_impl.gradcheck import check_gradient
from reference_impl.noise_norm import (
    gaussian_dropout_backward, gaussian_dropout_forward, gaussian_noise_backward,
    gaussian_noise_forward, layernorm_backward, layernorm_forward,
)

from .compare import MEASURED, assert_close

pytestmark = pytest.mark.keras

SHAPE = (200, 500)  # n = 100 000 samples
N_SIGMA = 5.3
DKW_ALPHA = 5e-7
RTOL_FWD = 1e-12
RTOL_BWD = 1e-10

_PHI = np.vectorize(lambda v: 0.5 * (1.0 + math.erf(v / math.sqrt(2.0))))


def assert_standard_normal(name, y):
    """Mean, variance and DKW bounds of the module docstring on the standardised samples y."""
    y = np.asarray(y, dtype=np.float64).ravel()
    n = y.size
    mean = float(y.mean())
    var = float(y.var(ddof=1))
    mean_bound = N_SIGMA / math.sqrt(n)
    var_bound = N_SIGMA * math.sqrt(2.0 / (n - 1))
    ys = np.sort(y)
    cdf = _PHI(ys)
    i = np.arange(1, n + 1)
    ks = float(max(np.max(i / n - cdf), np.max(cdf - (i - 1) / n)))
    ks_bound = math.sqrt(math.log(2.0 / DKW_ALPHA) / (2.0 * n))
    MEASURED.append((f"{name} |mean|", abs(mean), abs(mean) / mean_bound))
    MEASURED.append((f"{name} |var - 1|", abs(var - 1.0), abs(var - 1.0) / var_bound))
    MEASURED.append((f"{name} sup|F_n - Phi|", ks, ks / ks_bound))
    assert abs(mean) <= mean_bound, f"{name}: mean {mean:.5f}, bound ±{mean_bound:.5f}"
    assert abs(var - 1.0) <= var_bound, f"{name}: variance {var:.5f}, expected 1 ± {var_bound:.5f}"
    assert ks <= ks_bound, f"{name}: sup|F_n − Φ| = {ks:.5f} > {ks_bound:.5f}"


def _inputs(seed):
    """A (200, 500) input with no entry closer to 0 than 0.5 (so out/a is well conditioned)."""
    g = np.random.default_rng(seed)
    return g.choice([-1.0, 1.0], size=SHAPE) * g.uniform(0.5, 2.0, SHAPE)


def _keras_noise(keras, tf, a, stddev, seed, training=True):
    layer = keras.layers.GaussianNoise(stddev, seed=seed, dtype="float64")
    out = layer(tf.constant(a, dtype=tf.float64), training=training)
    assert out.dtype == tf.float64
    return out.numpy()


def _keras_gdropout(keras, tf, a, rate, seed, training=True):
    layer = keras.layers.GaussianDropout(rate, seed=seed, dtype="float64")
    out = layer(tf.constant(a, dtype=tf.float64), training=training)
    assert out.dtype == tf.float64
    return out.numpy()


def _gd_std(rate):
    return math.sqrt(rate / (1.0 - rate))


# --------------------------------------------------------------------------
# The distribution check itself
# --------------------------------------------------------------------------

def test_distribution_check_has_power():
    """The bounds accept N(0, 1) and reject a 5 % wrong std, a 0.05 shift and a unit-variance uniform."""
    g = np.random.default_rng(0)
    assert_standard_normal("check:normal", g.standard_normal(SHAPE))
    for bad in (1.05 * g.standard_normal(SHAPE), 0.05 + g.standard_normal(SHAPE),
                g.uniform(-math.sqrt(3.0), math.sqrt(3.0), SHAPE)):
        with pytest.raises(AssertionError):
            assert_standard_normal("check:bad", bad)


# --------------------------------------------------------------------------
# GaussianNoise
# --------------------------------------------------------------------------

@pytest.mark.parametrize("stddev", [0.1, 0.5, 1.0])
def test_gaussian_noise_same_distribution_as_keras(keras, tf, stddev):
    """Keras 3.15's GaussianNoise only accepts 0 ≤ stddev ≤ 1; the reference takes any stddev ≥ 0."""
    a = _inputs(1)
    out_k = _keras_noise(keras, tf, a, stddev, seed=2)
    assert_standard_normal(f"gnoise:keras stddev={stddev}", (out_k - a) / stddev)
    out_r, noise = gaussian_noise_forward(a, stddev, rng=np.random.default_rng(3))
    assert out_r.shape == noise.shape == SHAPE and noise.dtype == np.float64
    np.testing.assert_array_equal(out_r, a + noise)
    assert_standard_normal(f"gnoise:reference stddev={stddev}", noise / stddev)


def test_gaussian_noise_reference_large_stddev():
    _, noise = gaussian_noise_forward(_inputs(1), 3.0, rng=np.random.default_rng(31))
    assert_standard_normal("gnoise:reference stddev=3", noise / 3.0)


def test_gaussian_noise_draw_is_stddev_times_standard_normal():
    """The stream the brief fixes: noise = stddev * rng.standard_normal(a.shape)."""
    a = np.random.default_rng(4).standard_normal((7, 9))
    _, noise = gaussian_noise_forward(a, 0.3, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(noise, 0.3 * np.random.default_rng(5).standard_normal((7, 9)))


@pytest.mark.parametrize("stddev", [0.0, 0.5])
def test_gaussian_noise_inference_mode_is_identity(keras, tf, stddev):
    a = np.random.default_rng(6).standard_normal((6, 9))
    out, noise = gaussian_noise_forward(a, stddev, train=False, rng=np.random.default_rng(7))
    assert noise is None
    np.testing.assert_array_equal(out, a)
    np.testing.assert_array_equal(_keras_noise(keras, tf, a, stddev, seed=8, training=False), a)


def test_gaussian_noise_zero_stddev_is_identity_in_training(keras, tf):
    a = np.random.default_rng(9).standard_normal((6, 9))
    out, noise = gaussian_noise_forward(a, 0.0, rng=np.random.default_rng(10))
    np.testing.assert_array_equal(noise, 0.0)
    np.testing.assert_array_equal(out, a)
    np.testing.assert_array_equal(_keras_noise(keras, tf, a, 0.0, seed=11), a)


def test_gaussian_noise_backward_matches_keras_layer_gradient(keras, tf):
    """The gradient of Σ dout ⊙ GaussianNoise(a) w.r.t. a, through Keras' layer in training, is dout."""
    g = np.random.default_rng(12)
    a, dout = g.standard_normal((5, 8)), g.standard_normal((5, 8))
    layer = keras.layers.GaussianNoise(0.7, seed=13, dtype="float64")
    at = tf.constant(a)
    with tf.GradientTape() as tape:
        tape.watch(at)
        out = layer(at, training=True)
        loss = tf.reduce_sum(tf.constant(dout) * out)
    assert not np.allclose(out.numpy(), a)  # the noise was really added
    _, noise = gaussian_noise_forward(a, 0.7, rng=np.random.default_rng(14))
    assert_close("gnoise:backward vs tape", gaussian_noise_backward(dout, noise), tape.gradient(loss, at).numpy(), rtol=0)
    np.testing.assert_array_equal(gaussian_noise_backward(dout, None), dout)


# --------------------------------------------------------------------------
# GaussianDropout
# --------------------------------------------------------------------------

@pytest.mark.parametrize("rate", [0.1, 0.2, 0.5, 0.6])
def test_gaussian_dropout_same_distribution_as_keras(keras, tf, rate):
    a = _inputs(15)
    std = _gd_std(rate)
    out_k = _keras_gdropout(keras, tf, a, rate, seed=16)
    assert_standard_normal(f"gdropout:keras rate={rate}", (out_k / a - 1.0) / std)
    out_r, mask = gaussian_dropout_forward(a, rate, rng=np.random.default_rng(17))
    assert out_r.shape == mask.shape == SHAPE and mask.dtype == np.float64
    np.testing.assert_array_equal(out_r, a * mask)
    assert_standard_normal(f"gdropout:reference rate={rate}", (mask - 1.0) / std)


@pytest.mark.parametrize("rate", [0.2, 0.6])
def test_gaussian_dropout_variance_is_bernoulli_dropouts(keras, tf, rate):
    """Var(mask) = rate/(1 − rate) = Var of inverted Bernoulli dropout's mask with keep probability 1 − rate.

    Bernoulli mask: values 0 and 1/p with P(1/p) = p, so Var = p·(1/p)² − 1 = (1 − p)/p.
    """
    p = 1.0 - rate
    assert math.isclose(p * (1.0 / p) ** 2 - 1.0, rate / (1.0 - rate), rel_tol=1e-12)
    # and not the readings a student might make of "rate": std = rate or std = sqrt(p/(1-p))
    a = _inputs(18)
    ratio = _keras_gdropout(keras, tf, a, rate, seed=19) / a
    for wrong_std in (rate, math.sqrt(p / (1.0 - p)), rate / (1.0 - rate)):
        with pytest.raises(AssertionError):
            assert_standard_normal("gdropout:keras vs wrong std", (ratio - 1.0) / wrong_std)


def test_gaussian_dropout_draw_is_one_plus_std_times_standard_normal():
    a = np.random.default_rng(20).standard_normal((7, 9))
    _, mask = gaussian_dropout_forward(a, 0.2, rng=np.random.default_rng(21))
    np.testing.assert_array_equal(mask, 1.0 + 0.5 * np.random.default_rng(21).standard_normal((7, 9)))


@pytest.mark.parametrize("rate", [0.0, 0.3])
def test_gaussian_dropout_inference_mode_is_identity(keras, tf, rate):
    a = np.random.default_rng(22).standard_normal((6, 9))
    out, mask = gaussian_dropout_forward(a, rate, train=False, rng=np.random.default_rng(23))
    assert mask is None
    np.testing.assert_array_equal(out, a)  # no scaling at test time
    np.testing.assert_array_equal(_keras_gdropout(keras, tf, a, rate, seed=24, training=False), a)


def test_gaussian_dropout_zero_rate_is_identity_in_training(keras, tf):
    a = np.random.default_rng(25).standard_normal((6, 9))
    out, mask = gaussian_dropout_forward(a, 0.0, rng=np.random.default_rng(26))
    np.testing.assert_array_equal(mask, 1.0)
    np.testing.assert_array_equal(out, a)
    np.testing.assert_array_equal(_keras_gdropout(keras, tf, a, 0.0, seed=27), a)


def test_gaussian_dropout_backward_matches_keras_layer_gradient(keras, tf):
    """Through Keras' layer in training, ∂Σ(dout ⊙ out)/∂a = dout ⊙ (out/a): the reference's dout ⊙ mask."""
    g = np.random.default_rng(28)
    a = g.choice([-1.0, 1.0], size=(5, 8)) * g.uniform(0.5, 2.0, (5, 8))
    dout = g.standard_normal((5, 8))
    layer = keras.layers.GaussianDropout(0.3, seed=29, dtype="float64")
    at = tf.constant(a)
    with tf.GradientTape() as tape:
        tape.watch(at)
        out = layer(at, training=True)
        loss = tf.reduce_sum(tf.constant(dout) * out)
    mask_k = out.numpy() / a
    assert not np.allclose(mask_k, 1.0)
    assert_close("gdropout:backward vs tape", gaussian_dropout_backward(dout, mask_k),
                 tape.gradient(loss, at).numpy(), rtol=1e-14)
    np.testing.assert_array_equal(gaussian_dropout_backward(dout, None), dout)
    _, mask = gaussian_dropout_forward(a, 0.3, rng=np.random.default_rng(30))
    np.testing.assert_array_equal(gaussian_dropout_backward(dout, mask), dout * mask)


# --------------------------------------------------------------------------
# Both noise layers: randomness and arguments
# --------------------------------------------------------------------------

@pytest.mark.parametrize("forward, arg", [(gaussian_noise_forward, 0.5), (gaussian_dropout_forward, 0.3)])
def test_seeded_determinism_and_default_rng(forward, arg):
    a = np.ones((20, 30))
    _, r1 = forward(a, arg, rng=np.random.default_rng(42))
    _, r2 = forward(a, arg, rng=np.random.default_rng(42))
    _, r3 = forward(a, arg, rng=np.random.default_rng(43))
    np.testing.assert_array_equal(r1, r2)
    assert not np.array_equal(r1, r3)
    g = np.random.default_rng(44)
    assert not np.array_equal(forward(a, arg, rng=g)[1], forward(a, arg, rng=g)[1])
    # rng=None: a fresh default generator (deliberately unseeded; two draws of 600 normals never coincide)
    _, r = forward(a, arg)
    assert r.shape == a.shape and not np.array_equal(r, forward(a, arg)[1])


@pytest.mark.parametrize("stddev", [-0.1, float("nan")])
def test_invalid_stddev_raises(stddev):
    with pytest.raises(ValueError):
        gaussian_noise_forward(np.ones((3, 3)), stddev, rng=np.random.default_rng(0))


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, float("nan")])
def test_invalid_rate_raises(rate):
    with pytest.raises(ValueError):
        gaussian_dropout_forward(np.ones((3, 3)), rate, rng=np.random.default_rng(0))


# --------------------------------------------------------------------------
# LayerNormalization: forward
# --------------------------------------------------------------------------

def keras_ln(keras, eps, gamma, beta, dtype="float64"):
    layer = keras.layers.LayerNormalization(axis=-1, epsilon=eps, dtype=dtype)
    layer.build((None, gamma.shape[0]))
    assert [w.name for w in layer.weights] == ["gamma", "beta"]
    layer.set_weights([gamma.ravel(), beta.ravel()])
    return layer


def _ln_case(seed, n, m):
    """x (n, m) whose columns have different means and scales, gamma, beta (n, 1), dout (n, m)."""
    g = np.random.default_rng(seed)
    x = 3.0 * g.standard_normal((1, m)) + g.uniform(0.2, 3.0, (1, m)) * g.standard_normal((n, m))
    return x, g.uniform(0.5, 2.0, (n, 1)), g.standard_normal((n, 1)), g.standard_normal((n, m))


@pytest.mark.parametrize("eps", [pytest.param(1e-3, id="keras-default"), pytest.param(2**-10, id="exact")])
@pytest.mark.parametrize("n, m", [(6, 16), (3, 1), (1, 4), (32, 5)])
def test_layernorm_forward_matches_keras(keras, tf, eps, n, m):
    """Per-example output agrees on x.T, in training and in inference (the same computation)."""
    x, gamma, beta, _ = _ln_case(40, n, m)
    out, cache = layernorm_forward(x, gamma, beta, eps=eps)
    assert out.shape == (n, m)
    layer = keras_ln(keras, eps, gamma, beta)
    for training in (True, False):
        keras_out = np.asarray(layer(tf.constant(x.T), training=training)).T
        assert_close(f"layernorm:forward n={n} m={m} eps={eps} training={training}", out, keras_out,
                     rtol=RTOL_FWD, atol=RTOL_FWD * np.abs(keras_out).max())


def test_layernorm_default_eps_is_keras_default(keras, tf):
    x, gamma, beta, _ = _ln_case(41, 5, 7)
    keras_out = np.asarray(keras_ln(keras, 1e-3, gamma, beta)(tf.constant(x.T))).T
    assert keras.layers.LayerNormalization().epsilon == 1e-3
    assert_close("layernorm:default eps", layernorm_forward(x, gamma, beta)[0], keras_out,
                 rtol=RTOL_FWD, atol=RTOL_FWD * np.abs(keras_out).max())


def test_layernorm_keras_float32_default(keras, tf):
    """Keras' default float32 layer agrees to float32 precision (rtol 1e-5)."""
    x, gamma, beta, _ = _ln_case(42, 8, 10)
    keras_out = np.asarray(keras_ln(keras, 1e-3, gamma, beta, dtype="float32")(tf.constant(x.T, dtype=tf.float32))).T
    assert_close("layernorm:forward vs keras float32", layernorm_forward(x, gamma, beta)[0], keras_out,
                 rtol=1e-5, atol=1e-5 * np.abs(keras_out).max())


def test_layernorm_biased_variance_eps_inside_and_per_column(keras, tf):
    """Keras uses var(ddof=0) over each example's features with ε inside the root; so does the reference.

    Columns are independent: normalising one column alone gives that column of
    the batch's output (works with a batch of one), unlike batch normalisation.
    """
    x, gamma, beta, _ = _ln_case(43, 4, 6)
    eps = 1e-3
    keras_out = np.asarray(keras_ln(keras, eps, gamma, beta)(tf.constant(x.T))).T
    mu = x.mean(axis=0, keepdims=True)
    biased = gamma * (x - mu) / np.sqrt(x.var(axis=0, keepdims=True) + eps) + beta
    unbiased = gamma * (x - mu) / np.sqrt(x.var(axis=0, ddof=1, keepdims=True) + eps) + beta
    eps_outside = gamma * (x - mu) / (np.sqrt(x.var(axis=0, keepdims=True)) + eps) + beta
    over_batch = gamma * (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps) + beta
    assert_close("layernorm:keras is biased", keras_out, biased, rtol=RTOL_FWD, atol=RTOL_FWD * np.abs(biased).max())
    for wrong in (unbiased, eps_outside, over_batch):
        assert not np.allclose(keras_out, wrong, rtol=1e-6)
    out = layernorm_forward(x, gamma, beta, eps)[0]
    for j in range(x.shape[1]):
        np.testing.assert_allclose(layernorm_forward(x[:, j:j + 1], gamma, beta, eps)[0], out[:, j:j + 1],
                                   rtol=1e-14, atol=1e-14)


def test_layernorm_cache_and_statistics():
    x, gamma, beta, _ = _ln_case(44, 5, 3)
    out, (x_hat, g, inv_std) = layernorm_forward(x, gamma, beta)
    assert x_hat.shape == (5, 3) and inv_std.shape == (1, 3) and g.shape == (5, 1)
    # each column of x̂ has mean 0 and (biased) variance σ²/(σ² + ε) < 1
    np.testing.assert_allclose(x_hat.mean(axis=0), 0.0, atol=1e-14)
    var = x.var(axis=0)
    np.testing.assert_allclose(x_hat.var(axis=0), var / (var + 1e-3), rtol=1e-12)
    np.testing.assert_allclose(out, gamma * x_hat + beta, rtol=1e-15)


@pytest.mark.parametrize("bad", ["x_1d", "gamma_flat", "beta_row", "eps_negative"])
def test_layernorm_invalid_arguments_raise(bad):
    x, gamma, beta, _ = _ln_case(45, 3, 4)
    args = {"x": x, "gamma": gamma, "beta": beta, "eps": 1e-3}
    args.update({"x_1d": {"x": x[:, 0]}, "gamma_flat": {"gamma": gamma.ravel()},
                 "beta_row": {"beta": beta.T}, "eps_negative": {"eps": -1e-3}}[bad])
    with pytest.raises(ValueError):
        layernorm_forward(**args)


# --------------------------------------------------------------------------
# LayerNormalization: backward
# --------------------------------------------------------------------------

@pytest.mark.parametrize("n, m", [(6, 16), (3, 1), (32, 5)])
def test_layernorm_backward_matches_gradient_tape(keras, tf, n, m):
    """dx, dgamma, dbeta = TF's gradients of Σ(dout ⊙ keras_output) w.r.t. the input, gamma and beta."""
    x, gamma, beta, dout = _ln_case(46, n, m)
    layer = keras_ln(keras, 1e-3, gamma, beta)
    x_t = tf.constant(x.T)
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        loss = tf.reduce_sum(tf.constant(dout.T) * layer(x_t, training=True))
    dx_k, dgamma_k, dbeta_k = tape.gradient(loss, [x_t, layer.gamma, layer.beta])
    dx_k, dgamma_k, dbeta_k = np.asarray(dx_k).T, np.asarray(dgamma_k).reshape(-1, 1), np.asarray(dbeta_k).reshape(-1, 1)

    _, cache = layernorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = layernorm_backward(dout, cache)
    assert dx.shape == (n, m) and dgamma.shape == dbeta.shape == (n, 1)
    for name, got, want in [("dx", dx, dx_k), ("dgamma", dgamma, dgamma_k), ("dbeta", dbeta, dbeta_k)]:
        assert_close(f"layernorm:backward {name} n={n} m={m}", got, want,
                     rtol=RTOL_BWD, atol=RTOL_BWD * np.abs(want).max())
    # the output of a column does not change when a constant is added to it: dx sums to 0 over features
    np.testing.assert_allclose(dx.sum(axis=0), 0.0, atol=1e-12 * np.abs(dx).max())


@pytest.mark.parametrize("wrt", ["x", "gamma", "beta"])
def test_layernorm_backward_numerical_gradient_check(wrt):
    """Dense centered-difference check (reference gradcheck, relative error < 1e-6) on a 4×5 case."""
    x, gamma, beta, dout = _ln_case(47, 4, 5)
    inputs = {"x": x, "gamma": gamma, "beta": beta}

    def f(value):
        args = dict(inputs, **{wrt: value})
        return float(np.sum(dout * layernorm_forward(args["x"], args["gamma"], args["beta"])[0]))

    _, cache = layernorm_forward(x, gamma, beta)
    analytic = dict(zip(["x", "gamma", "beta"], layernorm_backward(dout, cache)))[wrt]
    result = check_gradient(f, inputs[wrt].copy(), analytic)
    assert result.passed, result
    MEASURED.append((f"layernorm:gradcheck {wrt}", 0.0, result.max_rel_error))
