"""Known mistakes in ex2 (backpropagation), each one error away from the reference."""
import numpy as np

import math

from .activations import ELEMENTWISE, SELU_ALPHA, SELU_SCALE, elu, selu, sigmoid, softmax, softplus
from .two_layer_net import TwoLayerNet as _TwoLayerNet
from .variants import register


# ------------------------------------------------------------------ derivatives
def relu_prime_one_at_zero(z):
    """ReLU' = 1 for z >= 0 (the course sets it to 0 at z = 0)."""
    return (np.asarray(z, dtype=np.float64) >= 0).astype(np.float64)


def sigmoid_prime_on_activation(z):
    """σ'(z) written as a(1 − a) but applied to z itself: z(1 − z)."""
    z = np.asarray(z, dtype=np.float64)
    return z * (1.0 - z)


def tanh_prime_on_activation(z):
    """tanh'(z) written as 1 − a² but applied to z itself: 1 − z²."""
    z = np.asarray(z, dtype=np.float64)
    return 1.0 - z ** 2


def relu_prime_is_relu(z):
    """max(0, z): the activation itself instead of its derivative (1 where z > 0)."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def sigmoid_prime_no_one_minus(z):
    """σ(z) alone: the factor (1 − σ(z)) is missing."""
    return sigmoid(z)


def tanh_prime_not_squared(z):
    """1 − tanh(z): the square of tanh is missing."""
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64))


# ------------------------------------------------------------------ the other activations' derivatives
def softplus_prime_is_softplus(z):
    """softplus(z): the activation itself instead of its derivative σ(z)."""
    return softplus(z)


def softplus_prime_sign(z):
    """σ(−z) = 1/(1 + e^z): the sign flipped (or the chain rule's factor e^z lost)."""
    return sigmoid(-np.asarray(z, dtype=np.float64))


def softplus_prime_sigmoid_prime(z):
    """σ(z)(1 − σ(z)): sigmoid's derivative (softplus's second derivative) instead of σ(z)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def elu_prime_is_elu(z, alpha=1.0):
    """alpha·(e^z − 1) for z ≤ 0: the ELU itself on the negative side (its derivative is alpha·e^z)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, elu(z, alpha))


def elu_prime_zero_negative(z, alpha=1.0):
    """0 for z ≤ 0: ReLU's derivative."""
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


def elu_prime_fixed_alpha(z, alpha=1.0):
    """e^z for z ≤ 0: alpha ignored (hard-coded 1)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0)))


def elu_prime_one_at_zero(z, alpha=1.0):
    """1 for z ≥ 0: the z > 0 branch at z = 0 (the course takes the z ≤ 0 branch there: alpha)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def selu_prime_no_lambda(z):
    """1 for z > 0, α·e^z for z ≤ 0: the scale λ missing."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(z, 0.0)))


def selu_prime_lambda_positive_only(z):
    """λ for z > 0, α·e^z for z ≤ 0: λ on the positive side only."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, SELU_SCALE, SELU_ALPHA * np.exp(np.minimum(z, 0.0)))


def selu_prime_is_selu(z):
    """λα(e^z − 1) for z ≤ 0: the SELU itself on the negative side (its derivative is λα·e^z)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, SELU_SCALE, selu(z))


def selu_prime_at_zero(z):
    """λ for z ≥ 0: the z > 0 branch at z = 0 (the course takes the z ≤ 0 branch there: λα)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, SELU_SCALE, SELU_SCALE * SELU_ALPHA * np.exp(np.minimum(z, 0.0)))


def swish_prime_no_sigmoid_term(z):
    """z·σ(z)(1 − σ(z)): the product rule's σ(z) term missing."""
    z = np.asarray(z, dtype=np.float64)
    s = sigmoid(z)
    return z * s * (1.0 - s)


def swish_prime_no_z_term(z):
    """σ(z): the product rule's z·σ'(z) term missing."""
    return sigmoid(z)


def swish_prime_no_z_factor(z):
    """σ(z) + σ(z)(1 − σ(z)): the factor z of the second term missing."""
    s = sigmoid(z)
    return s + s * (1.0 - s)


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _cdf(z):
    return 0.5 * (1.0 + _erf(np.asarray(z, dtype=np.float64) / math.sqrt(2.0)))


def gelu_prime_cdf_only(z):
    """Φ(z): the product rule's z·φ(z) term missing."""
    return _cdf(z)


def gelu_prime_pdf_only(z):
    """φ(z): the derivative of Φ alone, without the product rule."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def gelu_prime_pdf_unnormalised(z):
    """Φ(z) + z·e^(−z²/2): the density's 1/√(2π) missing."""
    z = np.asarray(z, dtype=np.float64)
    return _cdf(z) + z * np.exp(-0.5 * z * z)


# ------------------------------------------------------------------ losses
def mse_sum(y, t):
    """½ Σ (y − t)², not divided by m."""
    return float(0.5 * np.sum((np.asarray(y) - np.asarray(t)) ** 2))


def mse_no_half(y, t):
    """(1/m) Σ (y − t)², without the ½."""
    y, t = np.asarray(y), np.asarray(t)
    return float(np.sum((y - t) ** 2) / y.shape[1])


def mse_mean_entries(y, t):
    """½ np.mean((y − t)²): also divides by the number of output rows."""
    y, t = np.asarray(y), np.asarray(t)
    return float(0.5 * np.mean((y - t) ** 2))


def mse_rows(y, t):
    """m = len(y) = y.shape[0]: divides by the number of output rows, not of examples (columns)."""
    y, t = np.asarray(y), np.asarray(t)
    return float(0.5 * np.sum((y - t) ** 2) / len(y))


def cross_entropy_sum(y, t):
    """−Σ t log y, not divided by m."""
    return float(-np.sum(np.asarray(t) * np.log(np.asarray(y))))


def cross_entropy_binary_terms(y, t):
    """The binary formula on softmax outputs: −(1/m) Σ [t log y + (1 − t) log(1 − y)]."""
    y, t = np.asarray(y), np.asarray(t)
    return float(-np.sum(t * np.log(y) + (1.0 - t) * np.log1p(-y)) / y.shape[1])


def cross_entropy_no_minus(y, t):
    """(1/m) Σ t log y: the minus sign is missing (the cost is negative)."""
    y, t = np.asarray(y), np.asarray(t)
    return float(np.sum(t * np.log(y)) / y.shape[1])


def cross_entropy_mean_entries(y, t):
    """−np.mean(t log y): also divides by the number of classes."""
    y, t = np.asarray(y), np.asarray(t)
    return float(-np.mean(t * np.log(y)))


def bce_sum(y, t):
    """−Σ [t log y + (1 − t) log(1 − y)], not divided by m."""
    y, t = np.asarray(y), np.asarray(t)
    return float(-np.sum(t * np.log(y) + (1.0 - t) * np.log1p(-y)))


def bce_no_minus(y, t):
    """(1/m) Σ [t log y + (1 − t) log(1 − y)]: the minus sign is missing."""
    y, t = np.asarray(y), np.asarray(t)
    return float(np.sum(t * np.log(y) + (1.0 - t) * np.log1p(-y)) / y.shape[1])


def bce_no_negative_term(y, t):
    """−(1/m) Σ t log y: the (1 − t) log(1 − y) term is missing."""
    y, t = np.asarray(y), np.asarray(t)
    return float(-np.sum(t * np.log(y)) / y.shape[1])


def bce_mean_over_entries(y, t):
    """np.mean over every entry: also divides by the number of output rows."""
    y, t = np.asarray(y), np.asarray(t)
    return float(-np.mean(t * np.log(y) + (1.0 - t) * np.log(1.0 - y)))


def delta_no_m(z, t):
    """softmax(z) − t, not divided by m."""
    return softmax(np.asarray(z, dtype=np.float64)) - np.asarray(t)


def delta_softmax_axis1(z, t):
    """(softmax over the rows (axis 1) − t)/m."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True) - np.asarray(t)) / z.shape[1]


def delta_no_softmax(z, t):
    """(z − t)/m: the softmax is never applied."""
    z = np.asarray(z, dtype=np.float64)
    return (z - np.asarray(t)) / z.shape[1]


def delta_sign(z, t):
    """(t − softmax(z))/m: the gradient of −J."""
    z = np.asarray(z, dtype=np.float64)
    return (np.asarray(t) - softmax(z)) / z.shape[1]


def delta_rows(z, t):
    """(softmax(z) − t)/len(z): divided by the number of classes (rows), not of examples."""
    z = np.asarray(z, dtype=np.float64)
    return (softmax(z) - np.asarray(t)) / len(z)


def delta_max_added(z, t):
    """(softmax(z) − t)/m with the softmax stabilised the wrong way round, exp(z + max): right while
    z + max stays below ≈ 709, NaN at |z| ≈ 1000."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z + z.max(axis=0, keepdims=True))
        return (e / e.sum(axis=0, keepdims=True) - np.asarray(t)) / z.shape[1]


def delta_global_max(z, t):
    """(softmax(z) − t)/m with the maximum of the whole matrix subtracted, not each column's: a column whose
    scores all lie far below the global maximum underflows to 0/0 = NaN."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        e = np.exp(z - z.max())
        return (e / e.sum(axis=0, keepdims=True) - np.asarray(t)) / z.shape[1]


def delta_unstable(z, t):
    """(softmax(z) − t)/m with exp(z) / Σ exp(z), no maximum subtracted: exp overflows (inf / inf = NaN)
    above z ≈ 709 and underflows (0 / 0 = NaN) in a column whose every z is below ≈ −745."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return (e / e.sum(axis=0, keepdims=True) - np.asarray(t)) / z.shape[1]


# ------------------------------------------------------------------ mlp_backward
def _mlp_backward(dy, caches, params, activations, *, transposed=False, db="sum", last_fprime=True,
                  w_transposed=True, fprime_of_a=False, extra_m=False, reverse=True, fprimes=None):
    """mlp_backward written out, with one switch per known mistake; ``fprimes``: activation name -> a
    derivative function used instead of the right one (the student's own wrong derivative, called from a
    right mlp_backward)."""
    grads = []
    da = np.asarray(dy, dtype=np.float64)
    m = da.shape[1]
    layers = list(zip(params, caches, activations))
    for k in range(len(layers) - 1, -1, -1):
        (W, _), (a_prev, z), name = layers[k]
        f, fprime = ELEMENTWISE[name]
        fprime = (fprimes or {}).get(name, fprime)
        at = f(z) if fprime_of_a else z
        delta = da if (k == len(layers) - 1 and not last_fprime) else da * fprime(at)
        dW = a_prev @ delta.T if transposed else delta @ a_prev.T
        if db == "sum":
            dbk = delta.sum(axis=1, keepdims=True)
        elif db == "mean":
            dbk = delta.mean(axis=1, keepdims=True)
        elif db == "axis0":
            dbk = delta.sum(axis=0, keepdims=True)
        else:
            dbk = delta.copy()
        if extra_m:
            dW, dbk = dW / m, dbk / m
        W = np.asarray(W, dtype=np.float64)
        da = (W.T if w_transposed else W) @ delta
        grads.append((dW, dbk))
    return grads[::-1] if reverse else grads


def mlp_transposed_dW(dy, caches, params, activations):
    """dW = a_prev δᵀ: the transpose of δ a_prevᵀ."""
    return _mlp_backward(dy, caches, params, activations, transposed=True)


def mlp_db_mean(dy, caches, params, activations):
    """db = mean of δ over the columns (the 1/m is already inside dy)."""
    return _mlp_backward(dy, caches, params, activations, db="mean")


def mlp_db_not_summed(dy, caches, params, activations):
    """db = δ, of shape (n_k, m), not summed over the columns."""
    return _mlp_backward(dy, caches, params, activations, db="none")


def mlp_no_last_fprime(dy, caches, params, activations):
    """δ(L) = dy: f'(z(L)) of the last layer is left out."""
    return _mlp_backward(dy, caches, params, activations, last_fprime=False)


def mlp_W_not_transposed(dy, caches, params, activations):
    """∂J/∂a(k−1) = W(k) δ(k) instead of W(k)ᵀ δ(k) (only runs when W is square)."""
    return _mlp_backward(dy, caches, params, activations, w_transposed=False)


def mlp_fprime_of_a(dy, caches, params, activations):
    """δ(k) = ∂J/∂a(k) ⊙ f'(a(k)): the derivative evaluated at the activation, not at z(k)."""
    return _mlp_backward(dy, caches, params, activations, fprime_of_a=True)


def mlp_extra_m(dy, caches, params, activations):
    """dW and db divided by m once more (dy already holds the 1/m)."""
    return _mlp_backward(dy, caches, params, activations, extra_m=True)


def mlp_db_axis0(dy, caches, params, activations):
    """db = Σ over the rows (axis 0) of δ: shape (1, m) instead of (n_k, 1)."""
    return _mlp_backward(dy, caches, params, activations, db="axis0")


def mlp_not_reversed(dy, caches, params, activations):
    """The gradients in the order they were computed: [(dWL, dbL), …, (dW1, db1)]."""
    return _mlp_backward(dy, caches, params, activations, reverse=False)


# ------------------------------------------------------------------ TwoLayerNet
class TwoLayerNetNoM(_TwoLayerNet):
    """backward uses δ2 = y − t: the 1/m of the mean is missing."""

    def backward(self, x, t):
        x = np.asarray(x, dtype=np.float64)
        z1, a1, _, y = self.forward(x)
        delta2 = y - np.asarray(t, dtype=np.float64)
        s = sigmoid(z1)
        delta1 = (self.W2.T @ delta2) * s * (1.0 - s)
        return (delta1 @ x.T, delta1.sum(axis=1, keepdims=True),
                delta2 @ a1.T, delta2.sum(axis=1, keepdims=True))


class _TwoLayerNetBackward(_TwoLayerNet):
    """backward written out, with one switch per known mistake."""

    sign = 1.0
    hidden_fprime = "z"   # "z" (right), "a" (σ' of a1) or "none"
    db = "sum"
    sigmoid_prime = None  # a wrong σ' used instead of the right one (the student's own, called from backward)

    def backward(self, x, t):
        x = np.asarray(x, dtype=np.float64)
        z1, a1, _, y = self.forward(x)
        delta2 = self.sign * (y - np.asarray(t, dtype=np.float64)) / x.shape[1]
        back = self.W2.T @ delta2
        if self.hidden_fprime == "none":
            delta1 = back
        elif self.sigmoid_prime is not None:
            delta1 = back * type(self).sigmoid_prime(z1)
        else:
            s = sigmoid(z1 if self.hidden_fprime == "z" else a1)
            delta1 = back * s * (1.0 - s)
        reduce = np.mean if self.db == "mean" else np.sum
        return (delta1 @ x.T, reduce(delta1, axis=1, keepdims=True),
                delta2 @ a1.T, reduce(delta2, axis=1, keepdims=True))


class TwoLayerNetNoSigmoidPrime(_TwoLayerNetBackward):
    """δ1 = W2ᵀ δ2: the factor σ'(z1) is missing."""

    hidden_fprime = "none"


class TwoLayerNetSigmoidPrimeOfA(_TwoLayerNetBackward):
    """δ1 = (W2ᵀ δ2) ⊙ σ'(a1): σ' evaluated at the activation a1 instead of z1."""

    hidden_fprime = "a"


class TwoLayerNetDbMean(_TwoLayerNetBackward):
    """db = the mean of δ over the columns (the 1/m is already inside δ)."""

    db = "mean"


class TwoLayerNetSign(_TwoLayerNetBackward):
    """δ2 = (t − y)/m: every gradient has the wrong sign."""

    sign = -1.0


class TwoLayerNetNoAttributes(_TwoLayerNet):
    """The constructor keeps the parameters in a dict, not as the attributes W1, b1, W2, b2 (the methods work
    once the attributes are assigned, as the grader does)."""

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        reference = _TwoLayerNet(n_in, n_hidden, n_out, seed)
        self.params = {name: getattr(reference, name) for name in ("W1", "b1", "W2", "b2")}


class TwoLayerNetBiasShape(_TwoLayerNet):
    """Biases of shape (n, 2) instead of the column vectors (n, 1)."""

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        super().__init__(n_in, n_hidden, n_out, seed)
        self.b1 = np.zeros((n_hidden, 2))
        self.b2 = np.zeros((n_out, 2))


class TwoLayerNetTransposedWeights(_TwoLayerNet):
    """W1 of shape (n_in, n_hidden) and W2 of shape (n_hidden, n_out): the transposes of (n_k, n_(k−1))."""

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        super().__init__(n_in, n_hidden, n_out, seed)
        self.W1 = np.ascontiguousarray(self.W1.T)
        self.W2 = np.ascontiguousarray(self.W2.T)


class TwoLayerNetZeroWeights(_TwoLayerNet):
    """Weights initialised to zeros: every hidden unit is the same."""

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        super().__init__(n_in, n_hidden, n_out, seed)
        self.W1 = np.zeros((n_hidden, n_in))
        self.W2 = np.zeros((n_out, n_hidden))


class TwoLayerNetUnseeded(_TwoLayerNet):
    """The seed is ignored: the weights come from an unseeded generator."""

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        super().__init__(n_in, n_hidden, n_out, seed)
        rng = np.random.default_rng()
        self.W1 = rng.standard_normal((n_hidden, n_in)) / np.sqrt(n_in)
        self.W2 = rng.standard_normal((n_out, n_hidden)) / np.sqrt(n_hidden)


class TwoLayerNetZ1Sign(_TwoLayerNet):
    """forward returns −z1: the sign folded into z1 = −(W1 x + b1) with a1 = 1/(1 + e^(z1)) (a1, z2 and y are right)."""

    def forward(self, x):
        z1, a1, z2, y = super().forward(x)
        return -z1, a1, z2, y


class TwoLayerNetZ2Sign(_TwoLayerNet):
    """forward returns −z2 (y = W2 a1 + b2 is right)."""

    def forward(self, x):
        z1, a1, z2, y = super().forward(x)
        return z1, a1, -z2, y


class TwoLayerNetAscent(_TwoLayerNet):
    """gradient_step adds the gradient: θ ← θ + η ∂J/∂θ."""

    def gradient_step(self, x, t, eta):
        dW1, db1, dW2, db2 = self.backward(x, t)
        self.W1 = self.W1 + eta * dW1
        self.b1 = self.b1 + eta * db1
        self.W2 = self.W2 + eta * dW2
        self.b2 = self.b2 + eta * db2


class TwoLayerNetStepWeightsOnly(_TwoLayerNet):
    """gradient_step updates W1 and W2 but not the biases."""

    def gradient_step(self, x, t, eta):
        dW1, _, dW2, _ = self.backward(x, t)
        self.W1 = self.W1 - eta * dW1
        self.W2 = self.W2 - eta * dW2


class TwoLayerNetStepFixedEta(_TwoLayerNet):
    """gradient_step uses a hard-coded learning rate 0.1 instead of its argument eta."""

    def gradient_step(self, x, t, eta):
        super().gradient_step(x, t, 0.1)


# ------------------------------------------------------------------ numerical_gradient
def _flat_view(x):
    x = np.asarray(x)
    return x.reshape(-1)


def numgrad_forward_difference(f, x, h=1e-5):
    """(f(x + h e_i) − f(x)) / h: one-sided, error O(h)."""
    view = _flat_view(x)
    out = np.empty(view.size)
    f0 = float(f(x))
    for i in range(view.size):
        old = view[i]
        view[i] = old + h
        out[i] = (float(f(x)) - f0) / h
        view[i] = old
    return out.reshape(np.shape(x))


def numgrad_not_restored(f, x, h=1e-5):
    """Centered differences, but x[i] is left at x[i] − h after each coordinate."""
    view = _flat_view(x)
    out = np.empty(view.size)
    for i in range(view.size):
        view[i] += h
        f_plus = float(f(x))
        view[i] -= 2 * h
        f_minus = float(f(x))
        out[i] = (f_plus - f_minus) / (2 * h)
    return out.reshape(np.shape(x))


def numgrad_divides_by_h(f, x, h=1e-5):
    """(f(x + h e_i) − f(x − h e_i)) / h: twice the derivative."""
    view = _flat_view(x)
    out = np.empty(view.size)
    for i in range(view.size):
        old = view[i]
        view[i] = old + h
        f_plus = float(f(x))
        view[i] = old - h
        f_minus = float(f(x))
        view[i] = old
        out[i] = (f_plus - f_minus) / h
    return out.reshape(np.shape(x))


def numgrad_all_at_once(f, x, h=1e-5):
    """h added to every entry at once: (f(x + h·1) − f(x − h·1))/(2h), the derivative along the all-ones
    direction (the sum of the gradient's entries), in every entry."""
    x = np.asarray(x, dtype=np.float64)
    value = (float(f(x + h)) - float(f(x - h))) / (2 * h)
    return np.full(x.shape, value)


def numgrad_rows(f, x, h=1e-5):
    """Loops over the rows only (for i in range(len(x))): x[i] += h moves a whole row, so each row holds the
    sum of that row's partial derivatives."""
    x = np.asarray(x)
    out = np.empty(x.shape)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        f_plus = float(f(x))
        x[i] = old - h
        f_minus = float(f(x))
        x[i] = old
        out[i] = (f_plus - f_minus) / (2 * h)
    return out


def _derivative_mistake(activation: str, fprime) -> dict:
    """A wrong derivative as a student has it: the function itself, and the right mlp_backward (and, for σ',
    TwoLayerNet.backward) calling it, as the solution's code does. Their outputs are what a right
    mlp_backward gives with that derivative, so that the checks of mlp_backward and TwoLayerNet keep their
    points for it (the derivative's own checks score the error once)."""

    def mlp_backward(dy, caches, params, activations):
        return _mlp_backward(dy, caches, params, activations, fprimes={activation: fprime})

    replaced = {f"{activation}_prime": fprime, "mlp_backward": mlp_backward}
    if activation == "sigmoid":
        replaced["TwoLayerNet"] = type("TwoLayerNetOwnSigmoidPrime", (_TwoLayerNetBackward,),
                                       {"sigmoid_prime": staticmethod(fprime)})
    return replaced


#: mistake id -> {contract name: replacement}; ids match autograder/exercises/ex2.py MISTAKES
VARIANTS = {
    "backprop_relu_prime_at_zero": _derivative_mistake("relu", relu_prime_one_at_zero),
    "backprop_sigmoid_prime_of_a": _derivative_mistake("sigmoid", sigmoid_prime_on_activation),
    "backprop_tanh_prime_of_a": _derivative_mistake("tanh", tanh_prime_on_activation),
    "backprop_relu_prime_is_relu": _derivative_mistake("relu", relu_prime_is_relu),
    "backprop_sigmoid_prime_no_one_minus": _derivative_mistake("sigmoid", sigmoid_prime_no_one_minus),
    "backprop_tanh_prime_not_squared": _derivative_mistake("tanh", tanh_prime_not_squared),
    "backprop_softplus_prime_is_softplus": {"softplus_prime": softplus_prime_is_softplus},
    "backprop_softplus_prime_sign": {"softplus_prime": softplus_prime_sign},
    "backprop_softplus_prime_sigmoid_prime": {"softplus_prime": softplus_prime_sigmoid_prime},
    "backprop_elu_prime_is_elu": {"elu_prime": elu_prime_is_elu},
    "backprop_elu_prime_zero_negative": {"elu_prime": elu_prime_zero_negative},
    "backprop_elu_prime_fixed_alpha": {"elu_prime": elu_prime_fixed_alpha},
    "backprop_elu_prime_one_at_zero": {"elu_prime": elu_prime_one_at_zero},
    "backprop_selu_prime_no_lambda": {"selu_prime": selu_prime_no_lambda},
    "backprop_selu_prime_lambda_positive_only": {"selu_prime": selu_prime_lambda_positive_only},
    "backprop_selu_prime_is_selu": {"selu_prime": selu_prime_is_selu},
    "backprop_selu_prime_at_zero": {"selu_prime": selu_prime_at_zero},
    "backprop_swish_prime_no_sigmoid_term": {"swish_prime": swish_prime_no_sigmoid_term},
    "backprop_swish_prime_no_z_term": {"swish_prime": swish_prime_no_z_term},
    "backprop_swish_prime_no_z_factor": {"swish_prime": swish_prime_no_z_factor},
    "backprop_gelu_prime_cdf_only": {"gelu_prime": gelu_prime_cdf_only},
    "backprop_gelu_prime_pdf_only": {"gelu_prime": gelu_prime_pdf_only},
    "backprop_gelu_prime_pdf_unnormalised": {"gelu_prime": gelu_prime_pdf_unnormalised},
    "backprop_mse_sum": {"mse_loss": mse_sum},
    "backprop_mse_mean_entries": {"mse_loss": mse_mean_entries},
    "backprop_mse_rows": {"mse_loss": mse_rows},
    "backprop_ce_binary_terms": {"cross_entropy_loss": cross_entropy_binary_terms},
    "backprop_ce_no_minus": {"cross_entropy_loss": cross_entropy_no_minus},
    "backprop_ce_mean_entries": {"cross_entropy_loss": cross_entropy_mean_entries},
    "backprop_bce_sum": {"binary_cross_entropy_loss": bce_sum},
    "backprop_bce_no_minus": {"binary_cross_entropy_loss": bce_no_minus},
    "backprop_delta_softmax_axis1": {"softmax_cross_entropy_delta": delta_softmax_axis1},
    "backprop_delta_no_softmax": {"softmax_cross_entropy_delta": delta_no_softmax},
    "backprop_delta_sign": {"softmax_cross_entropy_delta": delta_sign},
    "backprop_delta_rows": {"softmax_cross_entropy_delta": delta_rows},
    "backprop_mse_no_half": {"mse_loss": mse_no_half},
    "backprop_ce_sum": {"cross_entropy_loss": cross_entropy_sum},
    "backprop_bce_missing_term": {"binary_cross_entropy_loss": bce_no_negative_term},
    "backprop_bce_mean_entries": {"binary_cross_entropy_loss": bce_mean_over_entries},
    "backprop_delta_no_m": {"softmax_cross_entropy_delta": delta_no_m},
    "backprop_delta_max_added": {"softmax_cross_entropy_delta": delta_max_added},
    "backprop_delta_global_max": {"softmax_cross_entropy_delta": delta_global_max},
    "backprop_delta_unstable": {"softmax_cross_entropy_delta": delta_unstable},
    "backprop_mlp_transposed_dW": {"mlp_backward": mlp_transposed_dW},
    "backprop_mlp_db_mean": {"mlp_backward": mlp_db_mean},
    "backprop_mlp_db_not_summed": {"mlp_backward": mlp_db_not_summed},
    "backprop_mlp_no_last_fprime": {"mlp_backward": mlp_no_last_fprime},
    "backprop_mlp_W_not_transposed": {"mlp_backward": mlp_W_not_transposed},
    "backprop_mlp_fprime_of_a": {"mlp_backward": mlp_fprime_of_a},
    "backprop_mlp_extra_m": {"mlp_backward": mlp_extra_m},
    "backprop_mlp_db_axis0": {"mlp_backward": mlp_db_axis0},
    "backprop_mlp_not_reversed": {"mlp_backward": mlp_not_reversed},
    "backprop_net_init_missing": {"TwoLayerNet": TwoLayerNetNoAttributes},
    "backprop_net_bias_shape": {"TwoLayerNet": TwoLayerNetBiasShape},
    "backprop_net_weights_transposed": {"TwoLayerNet": TwoLayerNetTransposedWeights},
    "backprop_net_zero_weights": {"TwoLayerNet": TwoLayerNetZeroWeights},
    "backprop_net_unseeded": {"TwoLayerNet": TwoLayerNetUnseeded},
    "backprop_net_z1_sign": {"TwoLayerNet": TwoLayerNetZ1Sign},
    "backprop_net_z2_sign": {"TwoLayerNet": TwoLayerNetZ2Sign},
    "backprop_net_no_m": {"TwoLayerNet": TwoLayerNetNoM},
    "backprop_net_no_sigmoid_prime": {"TwoLayerNet": TwoLayerNetNoSigmoidPrime},
    "backprop_net_sigmoid_prime_of_a": {"TwoLayerNet": TwoLayerNetSigmoidPrimeOfA},
    "backprop_net_db_mean": {"TwoLayerNet": TwoLayerNetDbMean},
    "backprop_net_sign": {"TwoLayerNet": TwoLayerNetSign},
    "backprop_net_ascent": {"TwoLayerNet": TwoLayerNetAscent},
    "backprop_net_step_weights_only": {"TwoLayerNet": TwoLayerNetStepWeightsOnly},
    "backprop_net_step_fixed_eta": {"TwoLayerNet": TwoLayerNetStepFixedEta},
    "backprop_numgrad_one_sided": {"numerical_gradient": numgrad_forward_difference},
    "backprop_numgrad_not_restored": {"numerical_gradient": numgrad_not_restored},
    "backprop_numgrad_over_h": {"numerical_gradient": numgrad_divides_by_h},
    "backprop_numgrad_all_at_once": {"numerical_gradient": numgrad_all_at_once},
    "backprop_numgrad_rows": {"numerical_gradient": numgrad_rows},
}
register(VARIANTS)
