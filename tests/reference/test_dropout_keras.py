"""reference_impl.dropout (inverted dropout, p = keep probability) against keras.layers.Dropout.

Keras' ``rate`` is the probability of *dropping* a unit: rate = 1 − p. The two
draw from different random streams, so they are compared by distribution:
the fraction of kept units, the value of kept units (1/p) and of dropped ones (0).

Keep-fraction bound: with n independent units kept with probability p, the
count k is Binomial(n, p); we require |k − n p| ≤ 5.3·sqrt(n p (1 − p)).
For n = 100 000 the normal approximation is accurate and
P(|Z| > 5.3) ≈ 1.2e-7 < 1e-6, so a correct implementation fails this check
with probability below 1e-6 per draw (and never, with the fixed seeds here).
"""
import numpy as np
import pytest

from reference_impl.dropout import dropout_backward, dropout_forward

from .compare import MEASURED, assert_close

pytestmark = pytest.mark.keras

SHAPE = (200, 500)  # n = 100 000 units
N_SIGMA = 5.3


def assert_keep_fraction(name, kept, n, p):
    """|k − n p| ≤ 5.3·sqrt(n p (1−p)) (false-failure probability < 1e-6; exact when p = 1)."""
    k = int(np.count_nonzero(kept))
    bound = N_SIGMA * np.sqrt(n * p * (1.0 - p))
    assert abs(k - n * p) <= bound, f"{name}: kept {k} of {n}, expected {n * p} ± {bound:.1f}"
    MEASURED.append((f"{name} keep fraction |k/n - p|", abs(k / n - p), abs(k / n - p) / p))


def _keras_dropout(keras, tf, a, p, seed, training=True):
    layer = keras.layers.Dropout(rate=1.0 - p, seed=seed, dtype="float64")
    out = layer(tf.constant(a, dtype=tf.float64), training=training)
    assert out.dtype == tf.float64
    return out.numpy()


@pytest.mark.parametrize("p", [0.5, 0.8, 1.0])
def test_reference_keep_fraction_and_values(p):
    a = np.ones(SHAPE)
    out, mask = dropout_forward(a, p, train=True, rng=np.random.default_rng(7))
    assert out.shape == mask.shape == SHAPE and mask.dtype == np.float64
    kept = mask != 0
    assert_keep_fraction(f"dropout:reference p={p}", kept, a.size, p)
    # kept units scaled by exactly 1/p, dropped units exactly 0, out = a ⊙ mask
    np.testing.assert_array_equal(mask[kept], 1.0 / p)
    np.testing.assert_array_equal(mask[~kept], 0.0)
    np.testing.assert_array_equal(out, a * mask)


@pytest.mark.parametrize("p", [0.5, 0.8, 1.0])
def test_keras_dropout_same_distribution(keras, tf, p):
    a = np.ones(SHAPE)
    out_k = _keras_dropout(keras, tf, a, p, seed=11)
    kept_k = out_k != 0
    assert_keep_fraction(f"dropout:keras p={p}", kept_k, a.size, p)
    out_r, mask_r = dropout_forward(a, p, rng=np.random.default_rng(11))
    # Keras' kept value is 1/(1 − rate) with rate = 1 − p in float64; rtol 1e-6
    # as the brief allows (a rate passed through float32 would still pass).
    assert_close(f"dropout:kept value keras vs 1/p p={p}", out_k[kept_k], 1.0 / p, rtol=1e-6)
    np.testing.assert_array_equal(out_k[~kept_k], 0.0)
    # inverted dropout keeps E[out] = a: both means lie within 5.3σ of 1, with
    # σ = sqrt((1 − p)/(p n)) the standard deviation of the mean of n outputs
    # (the keep-fraction bound rescaled by 1/(n p); +1e-12 for rounding).
    sigma_mean = np.sqrt((1.0 - p) / (p * a.size))
    for name, out in [("keras", out_k), ("reference", out_r)]:
        assert abs(out.mean() - 1.0) <= N_SIGMA * sigma_mean + 1e-12, name


@pytest.mark.parametrize("p", [0.5, 0.8])
def test_both_scale_arbitrary_inputs_by_mask(keras, tf, p):
    a = np.random.default_rng(3).standard_normal((50, 40)) + 3.0  # no zeros in a
    out_r, mask_r = dropout_forward(a, p, rng=np.random.default_rng(4))
    np.testing.assert_array_equal(out_r, a * mask_r)
    out_k = _keras_dropout(keras, tf, a, p, seed=5)
    kept = out_k != 0
    assert 0 < kept.sum() < a.size
    # Keras multiplies by the same 1/p factor: out/a is 1/p where kept (rtol 1e-6 as above)
    assert_close(f"dropout:keras out/a p={p}", out_k[kept] / a[kept], 1.0 / p, rtol=1e-6)


@pytest.mark.parametrize("p", [0.5, 0.8, 1.0])
def test_inference_mode(keras, tf, p):
    a = np.random.default_rng(8).standard_normal((6, 9))
    out, mask = dropout_forward(a, p, train=False, rng=np.random.default_rng(9))
    assert mask is None
    np.testing.assert_array_equal(out, a)  # no scaling at test time (inverted dropout)
    out_k = _keras_dropout(keras, tf, a, p, seed=10, training=False)
    np.testing.assert_array_equal(out_k, a)


def test_keep_probability_one_is_identity(keras, tf):
    a = np.random.default_rng(12).standard_normal((30, 20))
    out, mask = dropout_forward(a, 1.0, rng=np.random.default_rng(13))
    np.testing.assert_array_equal(mask, 1.0)
    np.testing.assert_array_equal(out, a)
    np.testing.assert_array_equal(_keras_dropout(keras, tf, a, 1.0, seed=14), a)


def test_dropout_backward():
    g = np.random.default_rng(15)
    dout = g.standard_normal((5, 7))
    _, mask = dropout_forward(g.standard_normal((5, 7)), 0.5, rng=np.random.default_rng(16))
    assert np.any(mask == 0) and np.any(mask == 2.0)
    np.testing.assert_array_equal(dropout_backward(dout, mask), dout * mask)
    np.testing.assert_array_equal(dropout_backward(dout, None), dout)


def test_dropout_backward_matches_gradient_tape_through_mask(tf):
    """Gradient of Σ dout ⊙ (a ⊙ mask) w.r.t. a is dout ⊙ mask."""
    g = np.random.default_rng(17)
    a = g.standard_normal((4, 6))
    dout = g.standard_normal((4, 6))
    _, mask = dropout_forward(a, 0.8, rng=np.random.default_rng(18))
    at = tf.constant(a, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(at)
        loss = tf.reduce_sum(tf.constant(dout) * at * tf.constant(mask))
    assert_close("dropout:backward vs tape", dropout_backward(dout, mask), tape.gradient(loss, at).numpy(), rtol=0)


def test_seeded_determinism():
    a = np.ones((20, 30))
    out1, m1 = dropout_forward(a, 0.5, rng=np.random.default_rng(42))
    out2, m2 = dropout_forward(a, 0.5, rng=np.random.default_rng(42))
    out3, m3 = dropout_forward(a, 0.5, rng=np.random.default_rng(43))
    np.testing.assert_array_equal(m1, m2)
    np.testing.assert_array_equal(out1, out2)
    assert not np.array_equal(m1, m3)
    # successive calls on one generator draw fresh masks
    g = np.random.default_rng(44)
    assert not np.array_equal(dropout_forward(a, 0.5, rng=g)[1], dropout_forward(a, 0.5, rng=g)[1])


def test_default_rng_is_used_when_none():
    # deliberately unseeded (rng=None is the contract's default); the 5.3σ
    # bound keeps the false-failure probability below 1e-6
    out, mask = dropout_forward(np.ones((100, 100)), 0.5)
    assert_keep_fraction("dropout:reference default rng p=0.5", mask != 0, 10_000, 0.5)
    np.testing.assert_array_equal(out, mask)


@pytest.mark.parametrize("p", [0.0, 1.5, -0.1])
def test_invalid_keep_probability_raises(p):
    with pytest.raises(ValueError):
        dropout_forward(np.ones((3, 3)), p, rng=np.random.default_rng(0))
