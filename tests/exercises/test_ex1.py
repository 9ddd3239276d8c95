"""ex1 (forward) beyond the common tests: correct solutions written differently keep full marks,
realistic wrong submissions lose exactly the checks they should, with the mistake named."""
import textwrap

import pytest

from autograder import registry
from autograder.exercises.ex1 import MISTAKES
from autograder.grading import grade_file

POINTS = registry.get("ex1").points

SOFTMAX_CHECKS = {"softmax: fixtures", "softmax: columns are probability distributions",
                  "softmax: stable for |z| up to 1000", "softmax (hidden): fresh inputs"}
DENSE_CHECKS = {"dense_forward: fixtures, every activation", "dense_forward (hidden): fresh inputs"}
MLP_CHECKS = {"mlp_forward: fixtures", "mlp_forward (hidden): fresh inputs"}
TLN_FORWARD_CHECKS = {"TwoLayerNet.forward: fixtures", "TwoLayerNet.forward (hidden): fresh inputs"}
SIGMOID_STABLE_CHECKS = {"sigmoid: stable for |z| up to 1000", "sigmoid (hidden): fresh inputs"}

# A correct submission, written independently of the official solution; tests swap single pieces.
PIECES = {
    "header": """
        import numpy as np
    """,
    "sigmoid": """
        def sigmoid(z):
            return 1.0 / (1.0 + np.exp(-z))
    """,
    "tanh": """
        def tanh(z):
            return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    """,
    "relu": """
        def relu(z):
            return z * (z > 0)
    """,
    "leaky_relu": """
        def leaky_relu(z, alpha=0.01):
            return np.maximum(z, alpha * z)
    """,
    "softmax": """
        def softmax(z):
            e = np.exp(z - z.max(axis=0))
            return e / e.sum(axis=0)
    """,
    "dense_forward": """
        def dense_forward(a_prev, W, b, activation):
            z = np.dot(W, a_prev) + b
            if activation == "linear":
                a = z
            elif activation == "sigmoid":
                a = sigmoid(z)
            elif activation == "tanh":
                a = tanh(z)
            elif activation == "relu":
                a = relu(z)
            elif activation == "softmax":
                a = softmax(z)
            else:
                raise ValueError(activation)
            return z, a
    """,
    "mlp_forward": """
        def mlp_forward(x, params, activations):
            caches = []
            a = x
            for i in range(len(params)):
                W, b = params[i]
                z, a_new = dense_forward(a, W, b, activations[i])
                caches.append({"a_prev": a, "z": z, "W": W})
                a = a_new
            return a, caches
    """,
    "softplus": """
        def softplus(z):
            return np.logaddexp(0.0, z)
    """,
    "elu": """
        def elu(z, alpha=1.0):
            return np.where(z > 0, z, alpha * (np.exp(np.minimum(z, 0.0)) - 1.0))
    """,
    "selu": """
        def selu(z):
            lam, alpha = 1.0507009873554805, 1.6732632423543772
            return lam * np.where(z > 0, z, alpha * (np.exp(np.minimum(z, 0.0)) - 1.0))
    """,
    "swish": """
        def swish(z):
            return z / (1.0 + np.exp(-z))
    """,
    "gelu": """
        import math

        def gelu(z, approximate=False):
            if approximate:
                return 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z ** 3)))
            out = np.zeros(z.shape)
            for i in range(z.shape[0]):
                for j in range(z.shape[1]):
                    out[i, j] = z[i, j] * 0.5 * (1.0 + math.erf(z[i, j] / math.sqrt(2.0)))
            return out
    """,
    "TwoLayerNet": """
        class TwoLayerNet:
            def __init__(self, n_in, n_hidden, n_out, seed=0):
                np.random.seed(seed)
                self.W1 = np.random.randn(n_hidden, n_in) * 0.1
                self.b1 = np.zeros((n_hidden, 1))
                self.W2 = np.random.randn(n_out, n_hidden) * 0.1
                self.b2 = np.zeros((n_out, 1))

            def forward(self, x):
                z1 = self.W1 @ x + self.b1
                a1 = sigmoid(z1)
                z2 = self.W2 @ a1 + self.b2
                return z1, a1, z2, z2
    """,
}


def _submission(tmp_path, **replace):
    pieces = {**PIECES, **replace}
    path = tmp_path / "ex1_forward.py"
    path.write_text("\n".join(textwrap.dedent(p) for p in pieces.values()), encoding="utf-8")
    return path


def _grade(path, lang="en"):
    result = grade_file("ex1", path, hidden=True, lang=lang)
    assert result.error is None, result.error
    return result


def _failed(result):
    return {c.name: c.message for c in result.checks if not c.passed}


def _notes(result):
    return {c.name: c.message for c in result.checks if c.passed}


# ------------------------------------------------------------------ correct, but different
ALTERNATIVES = {
    "independent base (naive exp formulas, np.dot, dict caches, np.random.seed)": {},
    "log-sum-exp softmax, np.where sigmoid, loop-based dense_forward": {
        "softmax": """
            def softmax(z):
                m = np.max(z, axis=0, keepdims=True)
                logsumexp = m + np.log(np.sum(np.exp(z - m), axis=0, keepdims=True))
                return np.exp(z - logsumexp)
        """,
        "sigmoid": """
            def sigmoid(z):
                with np.errstate(over="ignore"):
                    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
        """,
        "dense_forward": """
            ACTS = {"linear": lambda v: v, "sigmoid": sigmoid, "tanh": tanh, "relu": relu, "softmax": softmax}

            def dense_forward(a_prev, W, b, activation):
                n_k, n_prev = W.shape
                m = a_prev.shape[1]
                z = np.zeros((n_k, m))
                for i in range(n_k):
                    for j in range(m):
                        total = b[i, 0]
                        for k in range(n_prev):
                            total += W[i, k] * a_prev[k, j]
                        z[i, j] = total
                return z, ACTS[activation](z)
        """,
    },
    "stable sigmoids: tanh form, logaddexp, boolean masks, np.where without errstate": {
        "sigmoid": """
            def sigmoid(z):
                return 0.5 * (1.0 + np.tanh(0.5 * z))
        """,
        "tanh": """
            def tanh(z):
                return 2.0 * np.exp(-np.logaddexp(0.0, -2.0 * z)) - 1.0
        """,
        "relu": """
            def _sigmoid_masks(z):
                out = np.empty_like(z, dtype=float)
                pos = z >= 0
                out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
                e = np.exp(z[~pos])
                out[~pos] = e / (1.0 + e)
                return out

            def _sigmoid_where(z):
                return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))

            def relu(z):
                # both stable sigmoids must agree with the tanh form, including at |z| = 1000
                big = np.array([[-1000.0, -800.0, -40.0, 0.0, 40.0, 800.0, 1000.0]])
                assert np.allclose(_sigmoid_masks(big), sigmoid(big), rtol=0, atol=1e-15)
                assert np.allclose(_sigmoid_where(big), sigmoid(big), rtol=0, atol=1e-15)
                return np.maximum(z, 0.0)
        """,
    },
    "float32 results everywhere": {
        "softplus": """
            def softplus(z):
                return np.logaddexp(np.float32(0), z.astype(np.float32))
        """,
        "elu": """
            def elu(z, alpha=1.0):
                z = z.astype(np.float32)
                return np.where(z > 0, z, np.float32(alpha) * np.expm1(np.minimum(z, 0))).astype(np.float32)
        """,
        "selu": """
            def selu(z):
                z = z.astype(np.float32)
                neg = np.float32(1.6732632423543772) * np.expm1(np.minimum(z, 0))
                return np.float32(1.0507009873554805) * np.where(z > 0, z, neg)
        """,
        "swish": """
            def swish(z):
                z = z.astype(np.float32)
                with np.errstate(over="ignore"):
                    return z / (np.float32(1) + np.exp(-z))
        """,
        "gelu": """
            import math

            def gelu(z, approximate=False):
                z32 = z.astype(np.float32)
                if approximate:
                    inner = np.float32(math.sqrt(2 / math.pi)) * (z32 + np.float32(0.044715) * z32 ** 3)
                    return np.float32(0.5) * z32 * (np.float32(1) + np.tanh(inner))
                erf = np.vectorize(math.erf, otypes=[np.float32])
                return (np.float32(0.5) * z32 * (np.float32(1) + erf(z32 / np.float32(math.sqrt(2))))).astype(np.float32)
        """,
        "sigmoid": """
            def sigmoid(z):
                return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
        """,
        "tanh": """
            def tanh(z):
                return np.tanh(z.astype(np.float32))
        """,
        "relu": """
            def relu(z):
                return np.maximum(z, 0).astype(np.float32)
        """,
        "leaky_relu": """
            def leaky_relu(z, alpha=0.01):
                return np.where(z > 0, z, alpha * z).astype(np.float32)
        """,
        "softmax": """
            def softmax(z):
                e = np.exp(z - z.max(axis=0, keepdims=True))
                return (e / e.sum(axis=0, keepdims=True)).astype(np.float32)
        """,
        "dense_forward": """
            def dense_forward(a_prev, W, b, activation):
                z = (W @ a_prev + b).astype(np.float32)
                f = {"linear": lambda v: v, "sigmoid": sigmoid, "tanh": tanh, "relu": relu, "softmax": softmax}
                return z, f[activation](z.astype(np.float64))
        """,
        "TwoLayerNet": """
            class TwoLayerNet:
                def __init__(self, n_in, n_hidden, n_out, seed=0):
                    rng = np.random.default_rng(seed)
                    self.W1 = rng.normal(size=(n_hidden, n_in)).astype(np.float32)
                    self.b1 = np.zeros((n_hidden, 1), dtype=np.float32)
                    self.W2 = rng.normal(size=(n_out, n_hidden)).astype(np.float32)
                    self.b2 = np.zeros((n_out, 1), dtype=np.float32)

                def forward(self, x):
                    z1 = (self.W1 @ x + self.b1).astype(np.float32)
                    a1 = sigmoid(z1.astype(np.float64))
                    z2 = (self.W2 @ a1 + self.b2).astype(np.float32)
                    return z1, a1, z2, z2
        """,
    },
    "lists instead of arrays, TwoLayerNet through mlp_forward": {
        "relu": """
            def relu(z):
                return [[max(0.0, v) for v in row] for row in z.tolist()]
        """,
        "leaky_relu": """
            def leaky_relu(z, alpha=0.01):
                return [[v if v > 0 else alpha * v for v in row] for row in z.tolist()]
        """,
        "dense_forward": """
            def dense_forward(a_prev, W, b, activation):
                z = W @ np.asarray(a_prev) + b
                if activation == "linear":
                    return z.tolist(), z.tolist()
                f = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "softmax": softmax}[activation]
                return z.tolist(), np.asarray(f(z)).tolist()
        """,
        "mlp_forward": """
            def mlp_forward(x, params, activations):
                caches, a = [], x
                for (W, b), name in zip(params, activations):
                    z, a = dense_forward(a, W, b, name)
                    caches.append(z)
                return a, caches
        """,
        "TwoLayerNet": """
            class TwoLayerNet:
                def __init__(self, n_in, n_hidden, n_out, seed=0):
                    rng = np.random.default_rng(seed)
                    self.W1 = rng.uniform(-1, 1, (n_hidden, n_in))
                    self.b1 = np.zeros((n_hidden, 1))
                    self.W2 = rng.uniform(-1, 1, (n_out, n_hidden))
                    self.b2 = np.zeros((n_out, 1))

                def forward(self, x):
                    z1, a1 = dense_forward(x, self.W1, self.b1, "sigmoid")
                    z2, y = dense_forward(a1, self.W2, self.b2, "linear")
                    return z1, a1, z2, y
        """,
    },
}


@pytest.mark.parametrize("name", list(ALTERNATIVES))
def test_correct_solutions_written_differently_keep_full_marks(name, tmp_path):
    result = _grade(_submission(tmp_path, **ALTERNATIVES[name]))
    assert _failed(result) == {}
    assert result.score == POINTS


# ------------------------------------------------------------------ realistic wrong submissions
def test_softmax_over_rows_loses_the_softmax_checks_only(tmp_path):
    result = _grade(_submission(tmp_path, softmax="""
        def softmax(z):
            e = np.exp(z - np.max(z, axis=1, keepdims=True))
            return e / np.sum(e, axis=1, keepdims=True)
    """))
    failed = _failed(result)
    # dense_forward and mlp_forward call this softmax (every case set has a softmax layer): they are
    # right given it, so they keep their points and say where the fault is
    assert set(failed) == SOFTMAX_CHECKS
    for name in SOFTMAX_CHECKS:
        assert MISTAKES["forward_softmax_axis1"].en in failed[name], name
    for name in DENSE_CHECKS | MLP_CHECKS:
        assert "Correct given your `softmax`, which is wrong here" in _notes(result)[name], name
    assert result.score == POINTS - 2.0


def test_softmax_over_rows_in_spanish_has_spanish_titles_and_the_mistake_id(tmp_path):
    result = _grade(_submission(tmp_path, softmax="""
        def softmax(z):
            e = np.exp(z - np.max(z, axis=1, keepdims=True))
            return e / np.sum(e, axis=1, keepdims=True)
    """), lang="es")
    check = result.check("softmax")
    assert check.id == "ex1.softmax" and not check.passed
    assert check.title("es") == "softmax: casos públicos" and check.name == "softmax: fixtures"
    assert MISTAKES["forward_softmax_axis1"].es in check.message
    assert "forward_softmax_axis1" in check.mistakes
    assert result.check("ex1.softmax_distributions").title("es") == "softmax: las columnas son distribuciones de probabilidad"


def test_missing_bias_loses_dense_forward_only(tmp_path):
    result = _grade(_submission(tmp_path, dense_forward=PIECES["dense_forward"].replace(
        "z = np.dot(W, a_prev) + b", "z = np.dot(W, a_prev)")))
    failed = _failed(result)
    assert set(failed) == DENSE_CHECKS
    for name in DENSE_CHECKS:
        assert MISTAKES["forward_dense_no_bias"].en in failed[name]
        assert "Correct given" not in failed[name]
    for name in MLP_CHECKS:
        assert "Correct given your `dense_forward`, which is wrong here" in _notes(result)[name]
    assert result.score == POINTS - 1.75


def test_unstable_softmax_loses_only_the_stability_check(tmp_path):
    result = _grade(_submission(tmp_path, softmax="""
        def softmax(z):
            return np.exp(z) / np.sum(np.exp(z), axis=0, keepdims=True)
    """))
    failed = _failed(result)
    assert set(failed) == {"softmax: stable for |z| up to 1000"}
    message = failed["softmax: stable for |z| up to 1000"]
    assert "NaN or infinite" in message and MISTAKES["forward_softmax_unstable"].en in message


def test_sigmoid_sign_error_is_named_and_scored_once(tmp_path):
    result = _grade(_submission(tmp_path, sigmoid="""
        def sigmoid(z):
            return 1 / (1 + np.exp(z))
    """), lang="es")
    failed = _failed(result)
    sigmoid_checks = {"sigmoid: fixtures"} | SIGMOID_STABLE_CHECKS
    assert set(failed) == sigmoid_checks
    for name in sigmoid_checks:
        assert MISTAKES["forward_sigmoid_sign"].es in failed[name]
    for name in DENSE_CHECKS | MLP_CHECKS | TLN_FORWARD_CHECKS:
        assert "Correcto con tu `sigmoid`, que aquí falla" in _notes(result)[name], name
    assert result.score == POINTS - 0.75  # sigmoid: fixtures 0.25 + stable 0.25 + hidden 0.25


def test_two_layer_net_with_sigmoid_output_and_no_seed(tmp_path):
    result = _grade(_submission(tmp_path, TwoLayerNet="""
        class TwoLayerNet:
            def __init__(self, n_in, n_hidden, n_out, seed=0):
                self.W1 = np.random.randn(n_hidden, n_in)
                self.b1 = np.zeros((n_hidden, 1))
                self.W2 = np.random.randn(n_out, n_hidden)
                self.b2 = np.zeros((n_out, 1))

            def forward(self, x):
                z1 = self.W1 @ x + self.b1
                a1 = sigmoid(z1)
                z2 = self.W2 @ a1 + self.b2
                return z1, a1, z2, sigmoid(z2)
    """))
    failed = _failed(result)
    assert set(failed) == {"TwoLayerNet: construction"} | TLN_FORWARD_CHECKS
    assert MISTAKES["forward_tln_unseeded"].en in failed["TwoLayerNet: construction"]
    for name in TLN_FORWARD_CHECKS:
        assert MISTAKES["forward_tln_sigmoid_output"].en in failed[name]


def test_wrong_return_kind_gets_a_clear_message(tmp_path):
    path = _submission(tmp_path, dense_forward="""
        def dense_forward(a_prev, W, b, activation):
            z = W @ a_prev + b
            return {"linear": z, "sigmoid": sigmoid(z), "tanh": tanh(z), "relu": relu(z),
                    "softmax": softmax(z)}[activation]
    """)
    failed = _failed(_grade(path))
    assert failed["dense_forward: fixtures, every activation"] == (
        "dense_forward must return the tuple (z, a); it returned a single value of type ndarray.")
    failed_es = _failed(_grade(path, lang="es"))
    assert failed_es["dense_forward: fixtures, every activation"] == (
        "dense_forward debe devolver la tupla (z, a); devolvió un único valor de tipo ndarray.")
    assert set(failed) == DENSE_CHECKS | MLP_CHECKS


# ------------------------------------------------------------------ large |z| (SPEC: finite and right up to 1e3)
FLIPPED_SIGMOIDS = {
    "np.where, condition flipped": """
        def sigmoid(z):
            with np.errstate(over="ignore", invalid="ignore"):
                return np.where(z < 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
    """,
    "boolean masks, branches swapped": """
        def sigmoid(z):
            out = np.empty_like(z)
            pos = z >= 0
            out[pos] = np.exp(z[pos]) / (1 + np.exp(z[pos]))
            out[~pos] = 1 / (1 + np.exp(-z[~pos]))
            return out
    """,
    "e^z / (1 + e^z) everywhere": """
        def sigmoid(z):
            return np.exp(z) / (1 + np.exp(z))
    """,
}


@pytest.mark.parametrize("name", list(FLIPPED_SIGMOIDS))
def test_sigmoid_with_its_branch_flipped_loses_the_large_z_checks_and_is_named(name, tmp_path):
    # right up to z ≈ 709 (every other case), NaN beyond: the public and hidden large-|z| cases catch it
    result = _grade(_submission(tmp_path, sigmoid=FLIPPED_SIGMOIDS[name]))
    failed = _failed(result)
    assert set(failed) == SIGMOID_STABLE_CHECKS
    for check_id in ("sigmoid_stable", "sigmoid_hidden"):
        check = result.check(check_id)
        assert MISTAKES["forward_sigmoid_branch_flipped"].en in check.message
        assert "forward_sigmoid_branch_flipped" in check.mistakes
    message = failed["sigmoid: stable for |z| up to 1000"]
    # said as a NaN, where it is and at which z (the public case's first NaN: z[0, 0] = 1000)
    assert "sigmoid(z) [z of shape (4, 7) with |z| up to 1000]: NaN at index (0, 0), where z = 1000 (expected 1)" \
        in message
    assert result.score == POINTS - 0.5


def test_sigmoid_with_its_branch_flipped_in_spanish(tmp_path):
    result = _grade(_submission(tmp_path, sigmoid=FLIPPED_SIGMOIDS["np.where, condition flipped"]), lang="es")
    check = result.check("sigmoid_stable")
    assert check.title("es") == "sigmoid: estable para |z| de hasta 1000"
    assert "NaN en el índice (0, 0), donde z = 1000 (se esperaba 1)" in check.message
    assert MISTAKES["forward_sigmoid_branch_flipped"].es in check.message


def test_naive_sigmoid_is_right_at_large_z_and_its_overflow_warning_is_only_reported(tmp_path):
    # 1/(1 + e^(−z)): e^1000 overflows to inf and 1/inf = 0, the right value. NumPy warns (overflow); the
    # SPEC asks for finite and right values, and reports RuntimeWarnings without penalty: full marks, a note.
    result = _grade(_submission(tmp_path))  # PIECES["sigmoid"] is the naive formula
    assert _failed(result) == {}
    assert result.score == POINTS
    for name in SIGMOID_STABLE_CHECKS:
        assert "RuntimeWarning (overflow encountered in exp)" in _notes(result)[name], name


def test_softmax_with_the_maximum_added_is_named(tmp_path):
    result = _grade(_submission(tmp_path, softmax="""
        def softmax(z):
            e = np.exp(z + np.max(z, axis=0, keepdims=True))
            return e / np.sum(e, axis=0, keepdims=True)
    """))
    failed = _failed(result)
    assert set(failed) == {"softmax: stable for |z| up to 1000"}
    message = failed["softmax: stable for |z| up to 1000"]
    assert "NaN at index" in message and MISTAKES["forward_softmax_max_added"].en in message
    assert MISTAKES["forward_softmax_unstable"].en not in message


def test_float32_computed_sigmoid_keeps_full_marks_at_large_z(tmp_path):
    # float32 from the input on: e^(−z) overflows to inf in float32 from z ≈ −88, and 1/(1 + inf) is 0
    result = _grade(_submission(tmp_path, sigmoid="""
        def sigmoid(z):
            z = np.asarray(z, dtype=np.float32)
            return np.float32(1) / (np.float32(1) + np.exp(-z))
    """))
    assert _failed(result) == {}


# ------------------------------------------------------------------ the catalogue's mistakes as students write them
def _tln_forward(body: str) -> str:
    """PIECES' TwoLayerNet with another forward body."""
    return PIECES["TwoLayerNet"].split("            def forward(self, x):")[0] + \
        "            def forward(self, x):\n" + textwrap.indent(textwrap.dedent(body), " " * 16)


def _tln_init(body: str) -> str:
    """PIECES' TwoLayerNet with another constructor body."""
    head, rest = PIECES["TwoLayerNet"].split("            def __init__(self, n_in, n_hidden, n_out, seed=0):\n")
    forward = "            def forward(self, x):" + rest.split("            def forward(self, x):")[1]
    return head + "            def __init__(self, n_in, n_hidden, n_out, seed=0):\n" + \
        textwrap.indent(textwrap.dedent(body), " " * 16) + "\n" + forward


#: mistake id -> (pieces replaced, ids of the checks that fail, each naming the mistake)
WRITTEN_MISTAKES = {
    "forward_sigmoid_precedence": ({"sigmoid": """
        def sigmoid(z):
            return 1 / 1 + np.exp(-z)
    """}, {"sigmoid", "sigmoid_stable", "sigmoid_hidden"}),
    "forward_tanh_negated": ({"tanh": """
        def tanh(z):
            return (np.exp(-z) - np.exp(z)) / (np.exp(z) + np.exp(-z))
    """}, {"tanh", "tanh_hidden"}),
    "forward_tanh_inverted": ({"tanh": """
        def tanh(z):
            with np.errstate(divide="ignore", invalid="ignore"):
                return (np.exp(z) + np.exp(-z)) / (np.exp(z) - np.exp(-z))
    """}, {"tanh", "tanh_hidden"}),
    "forward_relu_mask": ({"relu": """
        def relu(z):
            return z > 0
    """}, {"relu", "relu_hidden"}),
    "forward_leaky_relu_alpha_positive": ({"leaky_relu": """
        def leaky_relu(z, alpha=0.01):
            return np.where(z > 0, alpha * z, z)
    """}, {"leaky_relu", "leaky_relu_hidden"}),
    "forward_softmax_global_max": ({"softmax": """
        def softmax(z):
            e = np.exp(z - np.max(z))
            return e / np.sum(e, axis=0, keepdims=True)
    """}, {"softmax_stable"}),
    "forward_softmax_max_axis1": ({"softmax": """
        def softmax(z):
            e = np.exp(z - np.max(z, axis=1, keepdims=True))
            return e / np.sum(e, axis=0, keepdims=True)
    """}, {"softmax", "softmax_stable", "softmax_hidden"}),
    "forward_softplus_naive": ({"softplus": """
        def softplus(z):
            return np.log(1 + np.exp(z))
    """}, {"softplus_stable", "softplus_hidden"}),
    "forward_softplus_no_one": ({"softplus": """
        def softplus(z):
            return np.log(np.exp(z))
    """}, {"softplus", "softplus_stable", "softplus_hidden"}),
    "forward_elu_no_minus_one": ({"elu": """
        def elu(z, alpha=1.0):
            return np.where(z > 0, z, alpha * np.exp(np.minimum(z, 0.0)))
    """}, {"elu", "elu_hidden"}),
    "forward_elu_fixed_alpha": ({"elu": """
        def elu(z, alpha=1.0):
            return np.where(z > 0, z, np.exp(np.minimum(z, 0.0)) - 1)
    """}, {"elu", "elu_hidden"}),
    "forward_selu_no_lambda": ({"selu": """
        def selu(z):
            return np.where(z > 0, z, 1.6732632423543772 * (np.exp(np.minimum(z, 0.0)) - 1))
    """}, {"selu", "selu_hidden"}),
    "forward_swish_exp_ratio": ({"swish": """
        def swish(z):
            return z * np.exp(z) / (1 + np.exp(z))
    """}, {"swish_stable", "swish_hidden"}),
    "forward_gelu_tanh_when_exact": ({"gelu": """
        def gelu(z, approximate=False):
            return 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z ** 3)))
    """}, {"gelu", "gelu_hidden"}),
    "forward_gelu_erf_no_sqrt2": ({"gelu": """
        import math

        def gelu(z, approximate=False):
            if approximate:
                return 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z ** 3)))
            return 0.5 * z * (1 + np.vectorize(math.erf)(z))
    """}, {"gelu", "gelu_hidden"}),
    "forward_dense_no_activation": ({"dense_forward": """
        def dense_forward(a_prev, W, b, activation):
            z = W @ a_prev + b
            a = z
            return z, a
    """}, {"dense_forward", "dense_forward_hidden"}),
    "forward_dense_activates_input": ({"dense_forward": PIECES["dense_forward"].replace(
        "z = np.dot(W, a_prev) + b", "z = np.dot(W, {\"linear\": lambda v: v, \"sigmoid\": sigmoid, \"tanh\": tanh, "
        "\"relu\": relu, \"softmax\": softmax}[activation](a_prev)) + b")}, {"dense_forward", "dense_forward_hidden"}),
    "forward_mlp_skips_last_layer": ({"mlp_forward": PIECES["mlp_forward"].replace(
        "for i in range(len(params)):", "for i in range(len(params) - 1):")}, {"mlp_forward", "mlp_forward_hidden"}),
    "forward_tln_no_hidden_activation": ({"TwoLayerNet": _tln_forward("""
        z1 = self.W1 @ x + self.b1
        z2 = self.W2 @ z1 + self.b2
        return z1, z1, z2, z2
    """)}, {"two_layer_net_forward", "two_layer_net_forward_hidden"}),
    "forward_tln_init_missing": ({"TwoLayerNet": _tln_init("""
        rng = np.random.default_rng(seed)
        W1 = rng.normal(size=(n_hidden, n_in))
        b1 = np.zeros((n_hidden, 1))
        W2 = rng.normal(size=(n_out, n_hidden))
        b2 = np.zeros((n_out, 1))
    """)}, {"two_layer_net_init"}),
    "forward_tln_weights_transposed": ({"TwoLayerNet": _tln_init("""
        rng = np.random.default_rng(seed)
        self.W1 = rng.normal(size=(n_in, n_hidden))
        self.b1 = np.zeros((n_hidden, 1))
        self.W2 = rng.normal(size=(n_hidden, n_out))
        self.b2 = np.zeros((n_out, 1))
    """)}, {"two_layer_net_init"}),
    "forward_tln_bias_shape": ({"TwoLayerNet": _tln_init("""
        rng = np.random.default_rng(seed)
        self.W1 = rng.normal(size=(n_hidden, n_in))
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = rng.normal(size=(n_out, n_hidden))
        self.b2 = np.zeros((1, n_out))
    """)}, {"two_layer_net_init"}),
}


@pytest.mark.parametrize("mistake", list(WRITTEN_MISTAKES))
def test_a_written_mistake_loses_its_checks_only_and_is_named(mistake, tmp_path):
    pieces, expected = WRITTEN_MISTAKES[mistake]
    result = _grade(_submission(tmp_path, **pieces))
    failed = {c.id.split(".", 1)[1]: c for c in result.checks if not c.passed}
    assert set(failed) == expected
    for check in failed.values():
        assert mistake in check.mistakes, check.id
        assert MISTAKES[mistake].en in check.message
    points = sum(c.max_points for c in failed.values())
    assert result.score == POINTS - points


def test_relu_as_a_mask_is_named_in_spanish_and_scored_once(tmp_path):
    result = _grade(_submission(tmp_path, **WRITTEN_MISTAKES["forward_relu_mask"][0]), lang="es")
    assert MISTAKES["forward_relu_mask"].es in result.check("relu").message
    # dense_forward and mlp_forward call this relu: right given it, they keep their points and say so
    for check_id in ("dense_forward", "mlp_forward"):
        check = result.check(check_id)
        assert check.passed and "Correcto con tu `relu`, que aquí falla" in check.message


def test_relu_as_a_column_maximum_is_named(tmp_path):
    # np.max(z, 0) is a reduction (one value per column): dense_forward returns what it gives, so it is right
    # given it and keeps its points; mlp_forward cannot feed that to the next layer (its own ValueError)
    result = _grade(_submission(tmp_path, relu="""
        def relu(z):
            return np.max(z, 0)
    """))
    for check_id in ("relu", "relu_hidden"):
        check = result.check(check_id)
        assert not check.passed and "forward_relu_max_reduction" in check.mistakes
    for check_id in ("dense_forward", "dense_forward_hidden"):
        check = result.check(check_id)
        assert check.passed and "Correct given your `relu`, which is wrong here" in check.message


CORRECT_FORMS = {
    "softmax with keepdims left out, max subtracted per column": """
        def softmax(z):
            shifted = z - np.max(z, axis=0)
            return np.exp(shifted) / np.exp(shifted).sum(axis=0)
    """,
    "softmax through scipy-free log-sum-exp per column, in a loop": """
        def softmax(z):
            out = np.empty_like(z, dtype=float)
            for j in range(z.shape[1]):
                col = z[:, j] - z[:, j].max()
                out[:, j] = np.exp(col) / np.exp(col).sum()
            return out
    """,
}


@pytest.mark.parametrize("name", list(CORRECT_FORMS))
def test_correct_softmax_forms_keep_full_marks(name, tmp_path):
    result = _grade(_submission(tmp_path, softmax=CORRECT_FORMS[name]))
    assert _failed(result) == {}
    assert result.score == POINTS


# ------------------------------------------------------------------ the other activations (docs/contract-activations.md)
def test_naive_softplus_loses_only_its_stability_checks_and_is_named_in_both_languages(tmp_path):
    # log(1 + e^z) is right up to z ≈ 709 (every public fixture), inf beyond: the |z| ≥ 700 cases catch it
    result = _grade(_submission(tmp_path, softplus="""
        def softplus(z):
            return np.log(1 + np.exp(z))
    """), lang="es")
    failed = {c.id.split(".", 1)[1]: c for c in result.checks if not c.passed}
    assert set(failed) == {"softplus_stable", "softplus_hidden"}
    check = failed["softplus_stable"]
    assert "forward_softplus_naive" in check.mistakes and "forward_softplus_naive" in failed["softplus_hidden"].mistakes
    assert MISTAKES["forward_softplus_naive"].es in check.message
    assert "inf en el índice (0, 0), donde z = 1000" in check.message
    assert check.title("es") == "softplus: estable para |z| de hasta 1000"
    assert result.score == POINTS - 0.5


def test_gelu_with_the_tanh_form_when_exact_is_asked_is_named(tmp_path):
    result = _grade(_submission(tmp_path, **WRITTEN_MISTAKES["forward_gelu_tanh_when_exact"][0]), lang="es")
    check = result.check("gelu")
    assert not check.passed and "forward_gelu_tanh_when_exact" in check.mistakes
    assert MISTAKES["forward_gelu_tanh_when_exact"].es in check.message
    assert check.title("es") == "gelu: casos públicos, forma exacta y con tanh"
    assert check.text("en").startswith("gelu(z) [z of shape")


OTHER_CORRECT_FORMS = {
    "softplus stable by hand, swish through a stable σ, gelu with np.vectorize(math.erf)": {
        "softplus": """
            def softplus(z):
                return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
        """,
        "swish": """
            def swish(z):
                return z * np.exp(-np.logaddexp(0.0, -z))
        """,
        "gelu": """
            import math

            def gelu(z, approximate=False):
                if approximate:
                    return 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * np.power(z, 3))))
                return z * 0.5 * (1 + np.vectorize(math.erf)(z / np.sqrt(2)))
        """,
    },
    "swish written stably with branches, gelu through erfc, elu with expm1, selu by hand": {
        "swish": """
            def swish(z):
                out = np.empty_like(z, dtype=float)
                pos = z >= 0
                out[pos] = z[pos] / (1 + np.exp(-z[pos]))
                e = np.exp(z[~pos])
                out[~pos] = z[~pos] * e / (1 + e)
                return out
        """,
        "gelu": """
            from math import erfc, pi, sqrt

            def gelu(z, approximate=False):
                if approximate:
                    return 0.5 * z * (1 + np.tanh(sqrt(2 / pi) * (z + 0.044715 * z ** 3)))
                return np.array([[0.5 * v * erfc(-v / sqrt(2)) for v in row] for row in z])
        """,
        "elu": """
            def elu(z, alpha=1.0):
                out = z.copy()
                neg = z <= 0
                out[neg] = alpha * np.expm1(z[neg])
                return out
        """,
        "selu": """
            SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805

            def selu(z):
                return SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0)))
        """,
    },
    "softplus as log1p(e^z) below 30 and z above (exact in float64), lists out": {
        "softplus": """
            def softplus(z):
                small = np.minimum(z, 30.0)
                return np.where(z > 30.0, z, np.log1p(np.exp(small))).tolist()
        """,
    },
}


@pytest.mark.parametrize("name", list(OTHER_CORRECT_FORMS))
def test_correct_forms_of_the_other_activations_keep_full_marks(name, tmp_path):
    result = _grade(_submission(tmp_path, **OTHER_CORRECT_FORMS[name]))
    assert _failed(result) == {}
    assert result.score == POINTS


def test_naive_swish_is_right_at_large_z_and_its_overflow_warning_is_only_reported(tmp_path):
    # z/(1 + e^(−z)) (PIECES' swish): e^1000 overflows to inf and z/inf = −0, the right value
    result = _grade(_submission(tmp_path))
    for check_id in ("swish_stable", "swish_hidden"):
        check = result.check(check_id)
        assert check.passed and "RuntimeWarning (overflow encountered in exp)" in check.message, check_id
