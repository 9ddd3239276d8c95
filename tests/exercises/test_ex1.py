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
    "float32 results everywhere": {
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
    sigmoid_checks = {"sigmoid: fixtures", "sigmoid (hidden): fresh inputs"}
    assert set(failed) == sigmoid_checks
    for name in sigmoid_checks:
        assert MISTAKES["forward_sigmoid_sign"].es in failed[name]
    for name in DENSE_CHECKS | MLP_CHECKS | TLN_FORWARD_CHECKS:
        assert "Correcto con tu `sigmoid`, que aquí falla" in _notes(result)[name], name
    assert result.score == POINTS - 0.75  # sigmoid: fixtures 0.5 + hidden 0.25


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
