"""Known mistakes in ex1 (forward pass), each one error away from the reference."""
import numpy as np

import math

from .activations import SELU_ALPHA, SELU_SCALE, activate
from .activations import elu as _elu
from .activations import gelu as _gelu
from .activations import sigmoid as _sigmoid
from .layers import dense_forward as _dense
from .two_layer_net import TwoLayerNet
from .variants import register


# ---------------------------------------------------------------- activations
def sigmoid_sign(z):
    """σ(z) = 1 / (1 + e^{z}): the minus sign of the exponent is lost."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(z))


def sigmoid_branch_flipped(z):
    """The stable two-branch sigmoid with its condition flipped: e^z / (1 + e^z), the form meant for z < 0,
    is used for z ≥ 0, where e^z overflows (inf / inf = NaN from z ≈ 710); 1 / (1 + e^(−z)) for z < 0 is
    still right (e^(−z) overflows to inf there and the result is 0)."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(z < 0, 1.0 / (1.0 + np.exp(-z)), np.exp(z) / (1.0 + np.exp(z)))


def sigmoid_precedence(z):
    """1/1 + e^(−z), read by Python as (1/1) + e^(−z) = 1 + e^(−z): the parentheses around the denominator
    are missing."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore"):
        return 1.0 / 1.0 + np.exp(-z)


def tanh_negated(z):
    """(e^(−z) − e^z)/(e^z + e^(−z)) = −tanh(z): the numerator's terms swapped."""
    return -np.tanh(np.asarray(z, dtype=np.float64))


def tanh_inverted(z):
    """(e^z + e^(−z))/(e^z − e^(−z)) = coth(z): numerator and denominator swapped (±inf at z = 0)."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return 1.0 / np.tanh(z)


def tanh_via_sigmoid(z):
    """tanh(z) = 2σ(z) − 1 (the identity is 2σ(2z) − 1)."""
    return 2.0 * _sigmoid(z) - 1.0


def leaky_relu_fixed_alpha(z, alpha=0.01):
    """The slope 0.01 is hard-coded: alpha is ignored."""
    return np.where(z > 0, z, 0.01 * z)


def relu_mask(z):
    """(z > 0) as 0/1: the derivative's mask instead of max(0, z)."""
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


def relu_max_reduction(z):
    """np.max(z, 0): the maximum of each column (a reduction over axis 0) instead of np.maximum(z, 0)."""
    return np.max(np.asarray(z, dtype=np.float64), 0)


def leaky_relu_alpha_positive(z, alpha=0.01):
    """The slope alpha on the positive side: alpha·z for z > 0, z elsewhere."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, alpha * z, z)


def softmax_axis1(z):
    """Normalised over rows (axis 1) instead of columns."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_unstable(z):
    """exp(z) / Σ exp(z) without subtracting the maximum: overflows at |z| ≈ 1000."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=0, keepdims=True)


def softmax_max_added(z):
    """exp(z + max) instead of exp(z − max): right while z + max stays below ≈ 709, NaN at |z| ≈ 1000."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z + z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)


def softmax_global_max(z):
    """Subtracts the maximum of the whole matrix, not each column's: right for moderate z, but a column whose
    scores all lie far below the global maximum (≈ −1000 next to ≈ +1000) underflows to 0/0 = NaN."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        e = np.exp(z - z.max())
        return e / e.sum(axis=0, keepdims=True)


def softmax_max_axis1(z):
    """Subtracts each row's maximum (axis 1) and normalises each column: the subtracted value differs within
    a column, so it does not cancel."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)


def softmax_not_normalised(z):
    """Subtracts the column maximum but never divides by the column sums."""
    return np.exp(z - z.max(axis=0, keepdims=True))


def softmax_sum_all(z):
    """Divides by the sum over the whole matrix instead of each column's sum."""
    e = np.exp(z - z.max())
    return e / e.sum()


# ---------------------------------------------------------------- the other activations
def softplus_naive(z):
    """log(1 + e^z) as written: right up to z ≈ 709, inf beyond (e^z overflows)."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore"):
        return np.log(1.0 + np.exp(z))


def softplus_no_one(z):
    """log(e^z): the 1 inside the logarithm is lost (z itself for |z| below ≈ 709, ±inf beyond)."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore", divide="ignore"):
        return np.log(np.exp(z))


def softplus_sign(z):
    """log(1 + e^(−z)) = softplus(−z): the sign of the exponent flipped (written stably)."""
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(-z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def softplus_stable_no_max(z):
    """The stable form without its max(z, 0) term: log1p(e^(−|z|)) alone."""
    return np.log1p(np.exp(-np.abs(np.asarray(z, dtype=np.float64))))


def elu_alpha_positive(z, alpha=1.0):
    """alpha on the positive side: alpha·z for z > 0, e^z − 1 for z ≤ 0."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, alpha * z, np.expm1(np.minimum(z, 0.0)))


def elu_no_minus_one(z, alpha=1.0):
    """alpha·e^z for z ≤ 0: the −1 is missing (ELU jumps from alpha to 0 at z = 0)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, alpha * np.exp(np.minimum(z, 0.0)))


def elu_fixed_alpha(z, alpha=1.0):
    """alpha is ignored: the slope constant is hard-coded to 1."""
    return _elu(z, 1.0)


def selu_constants_swapped(z):
    """λ and α swapped: α·elu(z, λ) = αz for z > 0 (λα(e^z − 1) for z ≤ 0 is unchanged)."""
    return SELU_ALPHA * _elu(z, SELU_SCALE)


def selu_lambda_positive_only(z):
    """λ only on the positive side: λz for z > 0, α(e^z − 1) for z ≤ 0."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, SELU_SCALE * z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def selu_no_lambda(z):
    """elu(z, α): the scale λ is missing."""
    return _elu(z, SELU_ALPHA)


def swish_sigmoid_only(z):
    """σ(z) alone: the factor z is missing."""
    return _sigmoid(z)


def swish_minus(z):
    """z·σ(−z): the sign inside σ is flipped."""
    z = np.asarray(z, dtype=np.float64)
    return z * _sigmoid(-z)


def swish_exp_ratio(z):
    """z·e^z/(1 + e^z): right up to z ≈ 709, NaN (inf/inf) beyond."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return z * np.exp(z) / (1.0 + np.exp(z))


_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu_tanh_when_exact(z, approximate=False):
    """The tanh approximation for both values of approximate (the exact form is z·Φ(z))."""
    return _gelu(z, approximate=True)


def gelu_exact_when_approximate(z, approximate=False):
    """approximate is ignored: the exact form z·Φ(z) for both."""
    return _gelu(z, approximate=False)


def gelu_erf_no_sqrt2(z, approximate=False):
    """Exact form ½z(1 + erf(z)): the /√2 inside erf is missing."""
    z = np.asarray(z, dtype=np.float64)
    if approximate:
        return _gelu(z, approximate=True)
    return 0.5 * z * (1.0 + _erf(z))


def gelu_no_half(z, approximate=False):
    """Exact form z(1 + erf(z/√2)): the ½ is missing (that is 2z·Φ(z))."""
    z = np.asarray(z, dtype=np.float64)
    if approximate:
        return _gelu(z, approximate=True)
    return z * (1.0 + _erf(z / math.sqrt(2.0)))


def gelu_sigmoid_approximation(z, approximate=False):
    """z·σ(1.702 z), the sigmoid approximation, where the exact z·Φ(z) is asked."""
    z = np.asarray(z, dtype=np.float64)
    if approximate:
        return _gelu(z, approximate=True)
    return z * _sigmoid(1.702 * z)


def gelu_tanh_no_sqrt(z, approximate=False):
    """tanh form with 2/π instead of √(2/π): ½z(1 + tanh((2/π)(z + 0.044715 z³)))."""
    z = np.asarray(z, dtype=np.float64)
    if approximate:
        return 0.5 * z * (1.0 + np.tanh((2.0 / math.pi) * (z + 0.044715 * z ** 3)))
    return _gelu(z, approximate=False)


# ---------------------------------------------------------------- layers
def dense_transposed(a_prev, W, b, activation):
    """z = Wᵀ a_prev + b (only runs when W is square)."""
    z = W.T @ a_prev + b
    return z, activate(z, activation)


def dense_no_bias(a_prev, W, b, activation):
    """z = W a_prev: the bias is never added."""
    z = W @ a_prev
    return z, activate(z, activation)


def dense_no_activation(a_prev, W, b, activation):
    """Returns (z, z): the activation is never applied."""
    z, _ = _dense(a_prev, W, b, activation)
    return z, z.copy()


def dense_activates_input(a_prev, W, b, activation):
    """z = W f(a_prev) + b: the activation applied to the layer's input as well as to z."""
    z = W @ activate(a_prev, activation) + b
    return z, activate(z, activation)


def dense_swapped(a_prev, W, b, activation):
    """Returns (a, z) instead of (z, a)."""
    z, a = _dense(a_prev, W, b, activation)
    return a, z


def mlp_last_linear(x, params, activations):
    """The last layer's activation is never applied: y = z(L)."""
    a, caches = x, []
    for k, ((W, b), name) in enumerate(zip(params, activations)):
        z, a_next = _dense(a, W, b, name)
        caches.append((a, z))
        a = z if k == len(params) - 1 else a_next
    return a, caches


def mlp_first_activation(x, params, activations):
    """activations[0] is applied at every layer."""
    a, caches = x, []
    for W, b in params:
        z, a_next = _dense(a, W, b, activations[0])
        caches.append((a, z))
        a = a_next
    return a, caches


def mlp_skips_last_layer(x, params, activations):
    """The loop stops one layer early (range(len(params) − 1)): y = a(L−1)."""
    a, caches = x, []
    for (W, b), name in list(zip(params, activations))[:-1]:
        z, a_next = _dense(a, W, b, name)
        caches.append((a, z))
        a = a_next
    return a, caches


# ---------------------------------------------------------------- TwoLayerNet
class TwoLayerNetSigmoidOutput(TwoLayerNet):
    """y = σ(z2): an activation on the (linear) output layer."""

    def forward(self, x):
        z1, a1, z2, _ = super().forward(x)
        return z1, a1, z2, _sigmoid(z2)


class TwoLayerNetTanhHidden(TwoLayerNet):
    """Hidden layer tanh instead of sigmoid."""

    def forward(self, x):
        z1 = self.W1 @ x + self.b1
        a1 = np.tanh(z1)
        z2 = self.W2 @ a1 + self.b2
        return z1, a1, z2, z2.copy()


class TwoLayerNetNoHiddenActivation(TwoLayerNet):
    """The hidden sigmoid is never applied: a1 = z1, y = W2 z1 + b2."""

    def forward(self, x):
        z1 = self.W1 @ x + self.b1
        a1 = z1.copy()
        z2 = self.W2 @ a1 + self.b2
        return z1, a1, z2, z2.copy()


class TwoLayerNetLocalVariables(TwoLayerNet):
    """The constructor assigns local variables W1 = …, not self.W1 = …: the attributes are never set."""

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        rng = np.random.default_rng(seed)
        rng.standard_normal((n_hidden, n_in))  # W1 = …: drawn into a local name, never stored in self
        rng.standard_normal((n_out, n_hidden))  # W2 = …


class TwoLayerNetTransposedWeights(TwoLayerNet):
    """W1 of shape (n_in, n_hidden) and W2 of shape (n_hidden, n_out): the transposes of (n_k, n_(k−1))."""

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        super().__init__(n_in, n_hidden, n_out, seed)
        self.W1 = np.ascontiguousarray(self.W1.T)
        self.W2 = np.ascontiguousarray(self.W2.T)


class TwoLayerNetBiasRow(TwoLayerNet):
    """Biases created as rows of shape (1, n) instead of columns (n, 1)."""

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        super().__init__(n_in, n_hidden, n_out, seed)
        self.b1 = np.zeros((1, n_hidden))
        self.b2 = np.zeros((1, n_out))


class TwoLayerNetBias1D(TwoLayerNet):
    """Biases created as 1-D arrays of shape (n,) instead of columns (n, 1)."""

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        super().__init__(n_in, n_hidden, n_out, seed)
        self.b1 = np.zeros(n_hidden)
        self.b2 = np.zeros(n_out)


class TwoLayerNetZeroWeights(TwoLayerNet):
    """Weights initialised to zeros: every hidden unit is the same."""

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        super().__init__(n_in, n_hidden, n_out, seed)
        self.W1 = np.zeros((n_hidden, n_in))
        self.W2 = np.zeros((n_out, n_hidden))


class TwoLayerNetUnseeded(TwoLayerNet):
    """The seed is ignored: weights come from an unseeded generator."""

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        rng = np.random.default_rng()
        self.W1 = rng.standard_normal((n_hidden, n_in)) / np.sqrt(n_in)
        self.b1 = np.zeros((n_hidden, 1))
        self.W2 = rng.standard_normal((n_out, n_hidden)) / np.sqrt(n_hidden)
        self.b2 = np.zeros((n_out, 1))


#: mistake id -> {contract name: replacement}; ids match autograder/exercises/ex1.py MISTAKES
VARIANTS = {
    "forward_sigmoid_sign": {"sigmoid": sigmoid_sign},
    "forward_sigmoid_branch_flipped": {"sigmoid": sigmoid_branch_flipped},
    "forward_sigmoid_precedence": {"sigmoid": sigmoid_precedence},
    "forward_tanh_via_sigmoid": {"tanh": tanh_via_sigmoid},
    "forward_tanh_negated": {"tanh": tanh_negated},
    "forward_tanh_inverted": {"tanh": tanh_inverted},
    "forward_relu_mask": {"relu": relu_mask},
    "forward_relu_max_reduction": {"relu": relu_max_reduction},
    "forward_leaky_relu_alpha_positive": {"leaky_relu": leaky_relu_alpha_positive},
    "forward_leaky_relu_fixed_alpha": {"leaky_relu": leaky_relu_fixed_alpha},
    "forward_softmax_axis1": {"softmax": softmax_axis1},
    "forward_softmax_unstable": {"softmax": softmax_unstable},
    "forward_softmax_max_added": {"softmax": softmax_max_added},
    "forward_softmax_not_normalised": {"softmax": softmax_not_normalised},
    "forward_softmax_sum_all": {"softmax": softmax_sum_all},
    "forward_softmax_global_max": {"softmax": softmax_global_max},
    "forward_softmax_max_axis1": {"softmax": softmax_max_axis1},
    "forward_softplus_naive": {"softplus": softplus_naive},
    "forward_softplus_no_one": {"softplus": softplus_no_one},
    "forward_softplus_sign": {"softplus": softplus_sign},
    "forward_softplus_stable_no_max": {"softplus": softplus_stable_no_max},
    "forward_elu_alpha_positive": {"elu": elu_alpha_positive},
    "forward_elu_no_minus_one": {"elu": elu_no_minus_one},
    "forward_elu_fixed_alpha": {"elu": elu_fixed_alpha},
    "forward_selu_constants_swapped": {"selu": selu_constants_swapped},
    "forward_selu_lambda_positive_only": {"selu": selu_lambda_positive_only},
    "forward_selu_no_lambda": {"selu": selu_no_lambda},
    "forward_swish_sigmoid_only": {"swish": swish_sigmoid_only},
    "forward_swish_minus": {"swish": swish_minus},
    "forward_swish_exp_ratio": {"swish": swish_exp_ratio},
    "forward_gelu_tanh_when_exact": {"gelu": gelu_tanh_when_exact},
    "forward_gelu_exact_when_approximate": {"gelu": gelu_exact_when_approximate},
    "forward_gelu_erf_no_sqrt2": {"gelu": gelu_erf_no_sqrt2},
    "forward_gelu_no_half": {"gelu": gelu_no_half},
    "forward_gelu_sigmoid_approximation": {"gelu": gelu_sigmoid_approximation},
    "forward_gelu_tanh_no_sqrt": {"gelu": gelu_tanh_no_sqrt},
    "forward_dense_transposed": {"dense_forward": dense_transposed},
    "forward_dense_no_bias": {"dense_forward": dense_no_bias},
    "forward_dense_swapped": {"dense_forward": dense_swapped},
    "forward_dense_no_activation": {"dense_forward": dense_no_activation},
    "forward_dense_activates_input": {"dense_forward": dense_activates_input},
    "forward_mlp_last_linear": {"mlp_forward": mlp_last_linear},
    "forward_mlp_first_activation": {"mlp_forward": mlp_first_activation},
    "forward_mlp_skips_last_layer": {"mlp_forward": mlp_skips_last_layer},
    "forward_tln_sigmoid_output": {"TwoLayerNet": TwoLayerNetSigmoidOutput},
    "forward_tln_tanh_hidden": {"TwoLayerNet": TwoLayerNetTanhHidden},
    "forward_tln_no_hidden_activation": {"TwoLayerNet": TwoLayerNetNoHiddenActivation},
    "forward_tln_init_missing": {"TwoLayerNet": TwoLayerNetLocalVariables},
    "forward_tln_weights_transposed": {"TwoLayerNet": TwoLayerNetTransposedWeights},
    "forward_tln_bias_shape": {"TwoLayerNet": TwoLayerNetBiasRow},
    "forward_tln_bias_1d": {"TwoLayerNet": TwoLayerNetBias1D},
    "forward_tln_zero_weights": {"TwoLayerNet": TwoLayerNetZeroWeights},
    "forward_tln_unseeded": {"TwoLayerNet": TwoLayerNetUnseeded},
}
register(VARIANTS)
