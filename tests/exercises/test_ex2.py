"""ex2 (backward) beyond the common tests: correct solutions written differently keep full marks,
realistic wrong submissions lose exactly the checks they should, with the mistake named."""
import textwrap

import numpy as np
import pytest

from autograder import registry
from autograder.checks import Context
from autograder.exercises import ex2
from autograder.exercises.ex2 import MISTAKES
from autograder.grading import exercise_module, grade_file
from autograder.impl import LocalImpl

POINTS = registry.get("ex2").points

SIGMOID_CHECKS = {"sigmoid_prime: fixtures", "derivatives (hidden): fresh inputs"}
TANH_CHECKS = {"tanh_prime: fixtures", "derivatives (hidden): fresh inputs"}
RELU_CHECKS = {"relu_prime: fixtures (0 at z = 0)", "derivatives (hidden): fresh inputs"}
MLP_BACKWARD_CHECKS = {"mlp_backward: fixtures (with the caches of your mlp_forward)",
                       "mlp_backward: matches centered differences of your mlp_forward",
                       "mlp_backward (hidden): fresh inputs"}
MLP_CHECKS = {"mlp_forward: fixtures"} | MLP_BACKWARD_CHECKS
NET_BACKWARD_CHECKS = {"TwoLayerNet.backward: fixtures",
                       "TwoLayerNet.backward: matches centered differences of your forward",
                       "TwoLayerNet (hidden): backward and gradient_step on fresh inputs"}
STEP_CHECKS = {"TwoLayerNet.gradient_step: θ − η·(your backward), in place",
               "TwoLayerNet (hidden): backward and gradient_step on fresh inputs"}
NUMGRAD_CHECKS = {"numerical_gradient: centered differences of a known function",
                  "numerical_gradient (hidden): fresh shapes, default h"}
RESTORE_CHECKS = {"numerical_gradient: x holds its original values after the call",
                  "numerical_gradient (hidden): fresh shapes, default h"}
NET_INIT_CHECKS = {"TwoLayerNet: construction (W1, b1, W2, b2: shapes, seed)"}
NET_FORWARD_CHECKS = {"TwoLayerNet.forward: fixtures (z1, a1, z2, y)", "TwoLayerNet.forward (hidden): fresh inputs"}
DELTA_STABLE_CHECKS = {"softmax_cross_entropy_delta: stable for |z| up to 1000", "costs (hidden): fresh inputs"}

# A correct submission, written independently of the official solution; tests swap single pieces.
PIECES = {
    "header": """
        import numpy as np
    """,
    "activations": """
        def sigmoid(z):
            return 1.0 / (1.0 + np.exp(-z))

        def tanh(z):
            return np.tanh(z)

        def relu(z):
            return np.where(z > 0, z, 0.0)

        def softmax(z):
            e = np.exp(z - np.max(z, axis=0))
            return e / np.sum(e, axis=0)
    """,
    "mlp_forward": """
        def mlp_forward(x, params, activations):
            f = {"linear": lambda v: v, "sigmoid": sigmoid, "tanh": tanh, "relu": relu, "softmax": softmax}
            caches, a = [], x
            for (W, b), name in zip(params, activations):
                z = np.dot(W, a) + b
                caches.append({"a_prev": a, "z": z, "name": name})
                a = f[name](z)
            return a, caches
    """,
    "sigmoid_prime": """
        def sigmoid_prime(z):
            s = sigmoid(z)
            return s * (1 - s)
    """,
    "tanh_prime": """
        def tanh_prime(z):
            return 1 / np.cosh(z) ** 2
    """,
    "relu_prime": """
        def relu_prime(z):
            return np.where(z > 0, 1.0, 0.0)
    """,
    "mse_loss": """
        def mse_loss(y, t):
            return np.sum((y - t) ** 2) / (2 * y.shape[1])
    """,
    "cross_entropy_loss": """
        def cross_entropy_loss(y, t):
            return -np.mean(np.sum(t * np.log(y), axis=0))
    """,
    "binary_cross_entropy_loss": """
        def binary_cross_entropy_loss(y, t):
            per_example = -np.sum(t * np.log(y) + (1 - t) * np.log(1 - y), axis=0)
            return per_example.mean()
    """,
    "softmax_cross_entropy_delta": """
        def softmax_cross_entropy_delta(z, t):
            return (softmax(z) - t) / z.shape[1]
    """,
    "mlp_backward": """
        def mlp_backward(dy, caches, params, activations):
            derivative = {"linear": lambda v: np.ones_like(v), "sigmoid": sigmoid_prime,
                          "tanh": tanh_prime, "relu": relu_prime}
            grads = [None] * len(params)
            da = dy
            for k in range(len(params) - 1, -1, -1):
                W, b = params[k]
                cache = caches[k]
                delta = da * derivative[activations[k]](cache["z"])
                grads[k] = (np.dot(delta, cache["a_prev"].T), np.sum(delta, axis=1, keepdims=True))
                da = np.dot(W.T, delta)
            return grads
    """,
    "TwoLayerNet": """
        class TwoLayerNet:
            def __init__(self, n_in, n_hidden, n_out, seed=0):
                rng = np.random.default_rng(seed)
                self.W1 = rng.normal(0, 0.5, (n_hidden, n_in))
                self.b1 = np.zeros((n_hidden, 1))
                self.W2 = rng.normal(0, 0.5, (n_out, n_hidden))
                self.b2 = np.zeros((n_out, 1))

            def forward(self, x):
                z1 = self.W1 @ x + self.b1
                a1 = sigmoid(z1)
                z2 = self.W2 @ a1 + self.b2
                return z1, a1, z2, z2

            def backward(self, x, t):
                m = x.shape[1]
                z1, a1, z2, y = self.forward(x)
                d2 = (y - t) / m
                d1 = self.W2.T @ d2 * a1 * (1 - a1)
                return d1 @ x.T, d1.sum(axis=1, keepdims=True), d2 @ a1.T, d2.sum(axis=1, keepdims=True)

            def gradient_step(self, x, t, eta):
                grads = self.backward(x, t)
                for name, g in zip(("W1", "b1", "W2", "b2"), grads):
                    getattr(self, name)[...] -= eta * g
    """,
    "numerical_gradient": """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(x.shape)
            it = np.nditer(x, flags=["multi_index"])
            while not it.finished:
                i = it.multi_index
                saved = x[i]
                x[i] = saved + h
                up = f(x)
                x[i] = saved - h
                down = f(x)
                x[i] = saved
                grad[i] = (up - down) / (2 * h)
                it.iternext()
            return grad
    """,
    "softplus_prime": """
        def softplus_prime(z):
            return 1.0 / (1.0 + np.exp(-z))
    """,
    "elu_prime": """
        def elu_prime(z, alpha=1.0):
            return np.where(z <= 0, alpha * np.exp(np.minimum(z, 0.0)), 1.0)
    """,
    "selu_prime": """
        def selu_prime(z):
            lam, alpha = 1.0507009873554805, 1.6732632423543772
            return np.where(z <= 0, lam * alpha * np.exp(np.minimum(z, 0.0)), lam)
    """,
    "swish_prime": """
        def swish_prime(z):
            s = 1.0 / (1.0 + np.exp(-z))
            return s * (1.0 + z * (1.0 - s))
    """,
    "gelu_prime": """
        import math

        def gelu_prime(z):
            out = np.zeros(z.shape)
            for i in range(z.shape[0]):
                for j in range(z.shape[1]):
                    v = z[i, j]
                    cdf = 0.5 * (1.0 + math.erf(v / math.sqrt(2.0)))
                    out[i, j] = cdf + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi)
            return out
    """,
}


def _submission(tmp_path, **replace):
    pieces = {**PIECES, **replace}
    path = tmp_path / "ex2_backward.py"
    path.write_text("\n".join(textwrap.dedent(p) for p in pieces.values()), encoding="utf-8")
    return path


def _grade(path, lang="en"):
    result = grade_file("ex2", path, hidden=True, lang=lang)
    assert result.error is None, result.error
    return result


def _failed(result):
    return {c.name: c.message for c in result.checks if not c.passed}


def _points(names):
    return sum(c.points for c in exercise_module("ex2").CHECKS if c.name in names)


# ------------------------------------------------------------------ correct, but different
ALTERNATIVES = {
    "independent base (naive sigmoid, 1/cosh², dict caches, in-place gradient_step, np.nditer)": {},
    "loop-based mlp_backward, np.heaviside relu_prime, 0-d array and numpy-scalar losses": {
        "relu_prime": """
            def relu_prime(z):
                return np.heaviside(z, 0)
        """,
        "mse_loss": """
            def mse_loss(y, t):
                m = y.shape[1]
                total = 0.0
                for j in range(m):
                    total += 0.5 * np.dot(y[:, j] - t[:, j], y[:, j] - t[:, j])
                return np.array(total / m)
        """,
        "cross_entropy_loss": """
            def cross_entropy_loss(y, t):
                return np.float64(-np.sum(t * np.log(y)) / y.shape[1])
        """,
        "binary_cross_entropy_loss": """
            def binary_cross_entropy_loss(y, t):
                return np.array([[-np.sum(t * np.log(y) + (1 - t) * np.log(1 - y)) / y.shape[1]]])
        """,
        "mlp_backward": """
            def mlp_backward(dy, caches, params, activations):
                derivative = {"linear": lambda v: np.ones_like(v), "sigmoid": sigmoid_prime,
                              "tanh": tanh_prime, "relu": relu_prime}
                L = len(params)
                grads = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
                m = dy.shape[1]
                for j in range(m):  # one example at a time, summing its contribution
                    da = dy[:, j:j + 1]
                    for k in reversed(range(L)):
                        W, _ = params[k]
                        a_prev = caches[k]["a_prev"][:, j:j + 1]
                        z = caches[k]["z"][:, j:j + 1]
                        delta = da * derivative[activations[k]](z)
                        dW, db = grads[k]
                        for r in range(W.shape[0]):
                            for c in range(W.shape[1]):
                                dW[r, c] += delta[r, 0] * a_prev[c, 0]
                            db[r, 0] += delta[r, 0]
                        da = W.T @ delta
                return grads
        """,
        "numerical_gradient": """
            def numerical_gradient(f, x, h=1e-5):
                flat = x.reshape(-1)
                grad = np.empty(flat.size)
                for i in range(flat.size):
                    e = np.zeros(flat.size)
                    e[i] = h
                    grad[i] = (f((flat + e).reshape(x.shape)) - f((flat - e).reshape(x.shape))) / (2 * h)
                return grad.reshape(x.shape)
        """,
    },
    "float32 derivatives and costs, list relu_prime, tuple caches, rebinding gradient_step": {
        "sigmoid_prime": """
            def sigmoid_prime(z):
                s = sigmoid(z)
                return (s * (1 - s)).astype(np.float32)
        """,
        "tanh_prime": """
            def tanh_prime(z):
                return (1 - np.tanh(z) ** 2).astype(np.float32)
        """,
        "relu_prime": """
            def relu_prime(z):
                return [[1.0 if v > 0 else 0.0 for v in row] for row in np.asarray(z).tolist()]
        """,
        "mse_loss": """
            def mse_loss(y, t):
                return np.float32(0.5 * np.sum((y - t) ** 2) / y.shape[1])
        """,
        "softmax_cross_entropy_delta": """
            def softmax_cross_entropy_delta(z, t):
                return ((softmax(z) - t) / z.shape[1]).astype(np.float32)
        """,
        "mlp_forward": """
            def mlp_forward(x, params, activations):
                f = {"linear": lambda v: v, "sigmoid": sigmoid, "tanh": tanh, "relu": relu, "softmax": softmax}
                caches, a = [], x
                for (W, b), name in zip(params, activations):
                    z = W @ a + b
                    caches.append((a, z))
                    a = f[name](z)
                return a, caches
        """,
        "mlp_backward": """
            def mlp_backward(dy, caches, params, activations):
                # this file's derivatives return float32; the backward pass recomputes them in float64
                exact = {"linear": lambda v: np.ones_like(v), "sigmoid": lambda v: sigmoid(v) * (1 - sigmoid(v)),
                         "tanh": lambda v: 1 - np.tanh(v) ** 2, "relu": lambda v: np.asarray(relu_prime(v))}
                grads = []
                da = dy
                for (W, b), (a_prev, z), name in zip(params[::-1], caches[::-1], activations[::-1]):
                    delta = da * exact[name](z)
                    grads.insert(0, (delta @ a_prev.T, delta.sum(axis=1).reshape(-1, 1)))
                    da = W.T @ delta
                return grads
        """,
        "TwoLayerNet": PIECES["TwoLayerNet"].replace(
            """                for name, g in zip(("W1", "b1", "W2", "b2"), grads):
                    getattr(self, name)[...] -= eta * g""",
            """                self.W1, self.b1, self.W2, self.b2 = (
                    p - eta * g for p, g in zip((self.W1, self.b1, self.W2, self.b2), grads))"""),
    },
}

@pytest.mark.parametrize("name", list(ALTERNATIVES))
def test_correct_solutions_written_differently_keep_full_marks(name, tmp_path):
    result = _grade(_submission(tmp_path, **ALTERNATIVES[name]))
    assert _failed(result) == {}
    assert result.score == POINTS


STABLE_ALTERNATIVES = {
    "log-sum-exp delta": """
        def softmax_cross_entropy_delta(z, t):
            top = np.max(z, axis=0, keepdims=True)
            log_norm = top + np.log(np.sum(np.exp(z - top), axis=0, keepdims=True))
            return (np.exp(z - log_norm) - t) / z.shape[1]
    """,
    "per-column loop, max subtracted in place": """
        def softmax_cross_entropy_delta(z, t):
            out = np.empty(z.shape)
            for j in range(z.shape[1]):
                col = z[:, j] - z[:, j].max()
                e = np.exp(col)
                out[:, j] = e / e.sum() - t[:, j]
            return out / z.shape[1]
    """,
    "float32 from the input on": """
        def softmax_cross_entropy_delta(z, t):
            z = z.astype(np.float32)
            e = np.exp(z - z.max(axis=0))
            return (e / e.sum(axis=0) - t.astype(np.float32)) / np.float32(z.shape[1])
    """,
}


@pytest.mark.parametrize("name", list(STABLE_ALTERNATIVES))
def test_stable_deltas_written_differently_keep_full_marks(name, tmp_path):
    result = _grade(_submission(tmp_path, softmax_cross_entropy_delta=STABLE_ALTERNATIVES[name]))
    assert _failed(result) == {}
    assert result.score == POINTS


NET_CONSTRUCTORS = {
    "np.random.RandomState, uniform weights, reshaped biases, float32": """
        class TwoLayerNet(Base):
            def __init__(self, n_in, n_hidden, n_out, seed=0):
                rng = np.random.RandomState(seed)
                self.W1 = rng.uniform(-1, 1, size=(n_hidden, n_in)).astype(np.float32)
                self.b1 = np.zeros(n_hidden, dtype=np.float32).reshape(-1, 1)
                self.W2 = rng.uniform(-1, 1, size=(n_out, n_hidden)).astype(np.float32)
                self.b2 = np.zeros(n_out, dtype=np.float32).reshape(-1, 1)
    """,
    "parameters in a dict too, exposed as attributes; random biases": """
        class TwoLayerNet(Base):
            def __init__(self, n_in, n_hidden, n_out, seed=0):
                rng = np.random.default_rng(seed)
                self.params = {"W1": rng.standard_normal((n_hidden, n_in)), "b1": rng.standard_normal((n_hidden, 1)),
                               "W2": rng.standard_normal((n_out, n_hidden)), "b2": rng.standard_normal((n_out, 1))}
                for name, value in self.params.items():
                    setattr(self, name, value)
    """,
}


def _net_with(constructor: str) -> str:
    """The base TwoLayerNet renamed Base, and a subclass with another constructor."""
    return PIECES["TwoLayerNet"].replace("class TwoLayerNet:", "class Base:") + constructor


@pytest.mark.parametrize("name", list(NET_CONSTRUCTORS))
def test_constructors_written_differently_keep_full_marks(name, tmp_path):
    result = _grade(_submission(tmp_path, TwoLayerNet=_net_with(NET_CONSTRUCTORS[name])))
    assert _failed(result) == {}
    assert result.score == POINTS


def test_the_rebinding_variant_really_rebinds():
    # guard against the replace() above silently doing nothing
    assert "p - eta * g" in ALTERNATIVES[
        "float32 derivatives and costs, list relu_prime, tuple caches, rebinding gradient_step"]["TwoLayerNet"]


# ------------------------------------------------------------------ realistic wrong submissions
def test_wrong_mlp_forward_is_blamed_in_every_mlp_backward_check(tmp_path):
    result = _grade(_submission(tmp_path, mlp_forward=PIECES["mlp_forward"].replace(
        "z = np.dot(W, a) + b", "z = np.dot(W, a)")))
    failed = _failed(result)
    assert set(failed) == MLP_CHECKS
    for name in MLP_BACKWARD_CHECKS:
        assert "it uses your `mlp_forward`, which is wrong here" in failed[name], name
        assert "Fix `mlp_forward` first." in failed[name]
    assert "Cannot be checked fairly" not in failed["mlp_forward: fixtures"]
    assert result.score == POINTS - _points(MLP_CHECKS)


def test_wrong_mlp_forward_blame_in_spanish(tmp_path):
    result = _grade(_submission(tmp_path, mlp_forward=PIECES["mlp_forward"].replace(
        "a = f[name](z)", "a = sigmoid(z)")), lang="es")
    failed = _failed(result)
    assert set(failed) == MLP_CHECKS
    for name in MLP_BACKWARD_CHECKS:
        assert "usa tu `mlp_forward`, que aquí falla" in failed[name], name


def test_db_as_a_mean_loses_the_mlp_backward_checks_and_is_named(tmp_path):
    result = _grade(_submission(tmp_path, mlp_backward=PIECES["mlp_backward"].replace(
        "np.sum(delta, axis=1, keepdims=True)", "np.mean(delta, axis=1, keepdims=True)")))
    failed = _failed(result)
    assert set(failed) == MLP_BACKWARD_CHECKS
    for name in ("mlp_backward: fixtures (with the caches of your mlp_forward)", "mlp_backward (hidden): fresh inputs"):
        assert MISTAKES["backprop_mlp_db_mean"].en in failed[name]
    assert "db1" in failed["mlp_backward: matches centered differences of your mlp_forward"]
    assert result.score == POINTS - _points(MLP_BACKWARD_CHECKS)


def test_transposed_dW_is_named_in_the_gradient_check_too(tmp_path):
    result = _grade(_submission(tmp_path, mlp_backward=PIECES["mlp_backward"].replace(
        'np.dot(delta, cache["a_prev"].T)', 'np.dot(cache["a_prev"], delta.T)')))
    failed = _failed(result)
    assert set(failed) == MLP_BACKWARD_CHECKS
    for message in failed.values():
        assert MISTAKES["backprop_mlp_transposed_dW"].en in message


def test_transposed_dW_in_spanish_has_spanish_titles_and_the_mistake_id(tmp_path):
    result = _grade(_submission(tmp_path, mlp_backward=PIECES["mlp_backward"].replace(
        'np.dot(delta, cache["a_prev"].T)', 'np.dot(cache["a_prev"], delta.T)')), lang="es")
    for check_id, title in (("mlp_backward", "mlp_backward: casos públicos (con las cachés de tu mlp_forward)"),
                            ("mlp_backward_gradient",
                             "mlp_backward: coincide con las diferencias centradas de tu mlp_forward")):
        check = result.check(check_id)
        assert check.id == f"ex2.{check_id}" and not check.passed
        assert check.title("es") == title
        assert MISTAKES["backprop_mlp_transposed_dW"].es in check.message
        assert "backprop_mlp_transposed_dW" in check.mistakes


def test_missing_output_derivative_is_named(tmp_path):
    result = _grade(_submission(tmp_path, mlp_backward=PIECES["mlp_backward"].replace(
        "delta = da * derivative[activations[k]](cache[\"z\"])",
        "delta = da if k == len(params) - 1 else da * derivative[activations[k]](cache[\"z\"])")))
    failed = _failed(result)
    assert set(failed) == MLP_BACKWARD_CHECKS
    assert MISTAKES["backprop_mlp_no_last_fprime"].en in failed["mlp_backward: fixtures (with the caches of your mlp_forward)"]


def test_relu_prime_one_at_zero_loses_only_the_relu_checks(tmp_path):
    # the MLP cases keep every ReLU pre-activation away from 0, so mlp_backward is not penalised twice
    result = _grade(_submission(tmp_path, relu_prime="""
        def relu_prime(z):
            return (z >= 0).astype(float)
    """))
    failed = _failed(result)
    assert set(failed) == RELU_CHECKS
    for message in failed.values():
        assert MISTAKES["backprop_relu_prime_at_zero"].en in message
    assert result.score == POINTS - 1.0


TANH_PRIME_OF_Z = """
    def tanh_prime(z):
        return 1 - z ** 2
"""


def _notes(result, names):
    return {c.name: c.message for c in result.checks if c.name in names}


def test_tanh_prime_of_z_is_named_and_scored_once(tmp_path):
    """mlp_backward calls the student's tanh_prime, as the solution's does: its three checks are right given it
    and keep their points, saying why; tanh_prime's own checks score the error."""
    result = _grade(_submission(tmp_path, tanh_prime=TANH_PRIME_OF_Z))
    failed = _failed(result)
    assert set(failed) == TANH_CHECKS
    for name in TANH_CHECKS:
        assert MISTAKES["backprop_tanh_prime_of_a"].en in failed[name]
    for name, message in _notes(result, MLP_BACKWARD_CHECKS).items():
        assert message.startswith("Correct given your `tanh_prime`, which is wrong here"), (name, message)
        assert "keeps its points" in message and MISTAKES["backprop_tanh_prime_of_a"].en in message
    assert result.score == POINTS - _points(TANH_CHECKS)
    spanish = _grade(_submission(tmp_path, tanh_prime=TANH_PRIME_OF_Z), lang="es")
    for message in _notes(spanish, MLP_BACKWARD_CHECKS).values():
        assert message.startswith("Correcto con tu `tanh_prime`, que aquí falla")
        assert MISTAKES["backprop_tanh_prime_of_a"].es in message


def test_an_mlp_backward_with_its_own_right_derivative_passes_without_a_note(tmp_path):
    inline = PIECES["mlp_backward"].replace('"tanh": tanh_prime', '"tanh": lambda v: 1 - np.tanh(v) ** 2')
    assert inline != PIECES["mlp_backward"]
    result = _grade(_submission(tmp_path, tanh_prime=TANH_PRIME_OF_Z, mlp_backward=inline))
    assert set(_failed(result)) == TANH_CHECKS
    assert all(message == "ok" for message in _notes(result, MLP_BACKWARD_CHECKS).values())


def test_a_backward_wrong_on_its_own_as_well_still_fails_and_says_which_derivative_is_wrong(tmp_path):
    """Two errors: tanh_prime of z, and db as a mean in mlp_backward: the mlp_backward checks fail (the result is
    no known mistake's), and say that the tanh_prime they call is wrong, naming its mistake."""
    db_mean = PIECES["mlp_backward"].replace("np.sum(delta, axis=1, keepdims=True)", "np.mean(delta, axis=1, keepdims=True)")
    assert db_mean != PIECES["mlp_backward"]
    result = _grade(_submission(tmp_path, tanh_prime=TANH_PRIME_OF_Z, mlp_backward=db_mean))
    failed = _failed(result)
    assert MLP_BACKWARD_CHECKS - {"mlp_backward (hidden): fresh inputs"} <= set(failed)
    message = failed["mlp_backward: fixtures (with the caches of your mlp_forward)"]
    assert "It uses your `tanh_prime`, which is wrong here" in message
    assert "backprop_tanh_prime_of_a" in result.check("mlp_backward").mistakes


def test_a_two_layer_net_calling_its_wrong_sigmoid_prime_keeps_its_backward_points(tmp_path):
    net = PIECES["TwoLayerNet"].replace("d1 = self.W2.T @ d2 * a1 * (1 - a1)", "d1 = self.W2.T @ d2 * sigmoid_prime(z1)")
    assert net != PIECES["TwoLayerNet"]
    sigmoid_prime_of_z = """
        def sigmoid_prime(z):
            return z * (1 - z)
    """
    result = _grade(_submission(tmp_path, TwoLayerNet=net, sigmoid_prime=sigmoid_prime_of_z))
    assert set(_failed(result)) == SIGMOID_CHECKS
    for name, message in _notes(result, NET_BACKWARD_CHECKS | MLP_BACKWARD_CHECKS).items():
        assert message.startswith("Correct given your `sigmoid_prime`, which is wrong here"), (name, message)
    assert result.score == POINTS - _points(SIGMOID_CHECKS)


def test_costs_summed_over_the_examples_are_named(tmp_path):
    result = _grade(_submission(tmp_path, mse_loss="""
        def mse_loss(y, t):
            return 0.5 * np.sum((y - t) ** 2)
    """, cross_entropy_loss="""
        def cross_entropy_loss(y, t):
            return -np.sum(t * np.log(y))
    """))
    failed = _failed(result)
    assert set(failed) == {"mse_loss: fixtures", "cross_entropy_loss: fixtures", "costs (hidden): fresh inputs"}
    assert MISTAKES["backprop_mse_sum"].en in failed["mse_loss: fixtures"]
    assert MISTAKES["backprop_ce_sum"].en in failed["cross_entropy_loss: fixtures"]


def test_binary_cross_entropy_without_the_negative_class_term(tmp_path):
    result = _grade(_submission(tmp_path, binary_cross_entropy_loss="""
        def binary_cross_entropy_loss(y, t):
            return -np.sum(t * np.log(y)) / y.shape[1]
    """), lang="es")
    failed = _failed(result)
    assert set(failed) == {"binary_cross_entropy_loss: fixtures", "costs (hidden): fresh inputs"}
    for message in failed.values():
        assert MISTAKES["backprop_bce_missing_term"].es in message


def test_delta_without_1_over_m(tmp_path):
    result = _grade(_submission(tmp_path, softmax_cross_entropy_delta="""
        def softmax_cross_entropy_delta(z, t):
            return softmax(z) - t
    """))
    failed = _failed(result)
    assert set(failed) == {"softmax_cross_entropy_delta: fixtures", "costs (hidden): fresh inputs",
                           "softmax_cross_entropy_delta: stable for |z| up to 1000"}
    for name in ("softmax_cross_entropy_delta: fixtures", "softmax_cross_entropy_delta: stable for |z| up to 1000"):
        assert MISTAKES["backprop_delta_no_m"].en in failed[name]
    assert result.score == POINTS - 1.5  # as before the large-|z| cases: 0.25 + 0.25 + 1 (was 0.5 + 1)


def test_two_layer_backward_without_1_over_m_keeps_the_gradient_step_point(tmp_path):
    result = _grade(_submission(tmp_path, TwoLayerNet=PIECES["TwoLayerNet"].replace(
        "d2 = (y - t) / m", "d2 = y - t")))
    failed = _failed(result)
    # gradient_step is scored against the submission's own backward, so the update rule keeps its point
    assert set(failed) == NET_BACKWARD_CHECKS
    for message in failed.values():
        assert MISTAKES["backprop_net_no_m"].en in message
    assert result.score == POINTS - _points(NET_BACKWARD_CHECKS)


def test_gradient_ascent_is_named(tmp_path):
    result = _grade(_submission(tmp_path, TwoLayerNet=PIECES["TwoLayerNet"].replace(
        "getattr(self, name)[...] -= eta * g", "getattr(self, name)[...] += eta * g")))
    failed = _failed(result)
    assert set(failed) == STEP_CHECKS
    for message in failed.values():
        assert MISTAKES["backprop_net_ascent"].en in message


def test_gradient_step_that_updates_local_copies_is_told_so(tmp_path):
    result = _grade(_submission(tmp_path, TwoLayerNet=PIECES["TwoLayerNet"].replace(
        """                for name, g in zip(("W1", "b1", "W2", "b2"), grads):
                    getattr(self, name)[...] -= eta * g""",
        """                W1, b1, W2, b2 = self.W1, self.b1, self.W2, self.b2
                W1 = W1 - eta * grads[0]
                b1 = b1 - eta * grads[1]
                W2 = W2 - eta * grads[2]
                b2 = b2 - eta * grads[3]""")))
    failed = _failed(result)
    assert set(failed) == STEP_CHECKS
    assert "The parameters did not change" in failed["TwoLayerNet.gradient_step: θ − η·(your backward), in place"]


def test_wrong_two_layer_forward_is_blamed_in_the_gradient_check(tmp_path):
    result = _grade(_submission(tmp_path, TwoLayerNet=PIECES["TwoLayerNet"].replace(
        "return z1, a1, z2, z2", "return z1, a1, z2, sigmoid(z2)")))
    failed = _failed(result)
    assert "it uses your `TwoLayerNet.forward`, which is wrong here" in failed[
        "TwoLayerNet.backward: matches centered differences of your forward"]


def test_one_sided_numerical_gradient_is_named(tmp_path):
    result = _grade(_submission(tmp_path, numerical_gradient="""
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros_like(x)
            fx = f(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + h
                grad[i] = (f(x) - fx) / h
                x[i] = old
            return grad
    """))
    failed = _failed(result)
    assert set(failed) == NUMGRAD_CHECKS
    for message in failed.values():
        assert MISTAKES["backprop_numgrad_one_sided"].en in message


def test_aliased_copy_leaves_x_changed(tmp_path):
    result = _grade(_submission(tmp_path, numerical_gradient="""
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                x_plus = x          # not a copy: x itself is changed
                x_plus[i] += h
                f_plus = f(x_plus)
                x_minus = x
                x_minus[i] -= 2 * h
                grad[i] = (f_plus - f(x_minus)) / (2 * h)
            return grad
    """))
    failed = _failed(result)
    # f is separable, so the gradient itself is still right: only restoring x is penalised
    assert set(failed) == RESTORE_CHECKS
    for message in failed.values():
        assert MISTAKES["backprop_numgrad_not_restored"].en in message
    assert result.score == POINTS - 1.0


# ------------------------------------------------------------------ the checks' own margins
class _Ctx(Context):
    """A context for calling a property check directly, with a chosen seed."""

    def __init__(self, impl, seed):
        self.impl, self.lang, self.mistakes = impl, "en", MISTAKES
        self.rng = np.random.default_rng(seed)
        self.check = next(c for c in ex2.CHECKS if c.id == "mlp_backward_gradient")


def test_gradient_checks_pass_the_reference_with_a_wide_margin(monkeypatch):
    """Over many seeds, correct gradients stay 100 times below the tolerance of the directional checks."""
    from reference_impl import variants

    impl = LocalImpl({k: v for k, v in variants.namespace().items() if k in registry.get("ex2").names})
    seen = []
    original = ex2._rel

    def recording(*args):
        seen.append(original(*args))
        return seen[-1]

    monkeypatch.setattr(ex2, "_rel", recording)
    for seed in range(40):
        ex2.check_mlp_gradient(_Ctx(impl, seed))
        ex2.check_net_gradient(_Ctx(impl, seed))
    assert len(seen) > 1000
    assert max(seen) < ex2.GRAD_TOL / 100


def test_public_numerical_gradient_inputs_separate_centered_from_one_sided():
    """With the public h, centered differences pass with margin and one-sided ones fail with margin."""
    from autograder.sandbox import catalog
    from reference_impl import numerical_gradient

    for seed in range(200):
        rng = np.random.default_rng(seed)
        params, x = ex2._numgrad_inputs(rng, (int(rng.integers(2, 7)), int(rng.integers(2, 7))))
        exact = catalog.gradient("sin_quadratic", params, x)
        floor = ex2.NUMGRAD_FLOOR * np.max(np.abs(exact))

        def rel(a):
            return np.max(np.abs(a - exact) / np.maximum(np.abs(a) + np.abs(exact), floor))

        f = catalog.build("sin_quadratic", params)
        assert rel(numerical_gradient(f, x.copy(), ex2.PUBLIC_H)) < ex2.GRAD_TOL / 50
        assert rel(numerical_gradient(f, x.copy())) < ex2.GRAD_TOL / 50
        for direction in (1.0, -1.0):
            assert rel(ex2._one_sided(params, x, ex2.PUBLIC_H, direction)) > 5 * ex2.GRAD_TOL


def test_mlp_cases_keep_relu_preactivations_off_the_kink():
    rng = np.random.default_rng(0)
    for case in ex2.mlp_inputs(rng) + ex2.mlp_hidden_inputs(rng):
        zs, _ = ex2._preactivations(case["x"], case["params"], case["activations"])
        for z, name in zip(zs, case["activations"]):
            if name == "relu":
                assert np.min(np.abs(z)) >= ex2.RELU_MARGIN
    assert any(all(W.shape[0] == W.shape[1] for W, _ in case["params"]) for case in ex2.mlp_inputs(rng)), \
        "one public case has square layers only, so a transposed dW runs through"


# ------------------------------------------------------------------ TwoLayerNet's own constructor and forward
WRONG_CONSTRUCTORS = {
    "backprop_net_init_missing": """
        class TwoLayerNet(Base):
            def __init__(self, n_in, n_hidden, n_out, seed=0):
                rng = np.random.default_rng(seed)
                W1 = rng.normal(0, 0.5, (n_hidden, n_in))   # locals, never stored on self
                b1 = np.zeros((n_hidden, 1))
                W2 = rng.normal(0, 0.5, (n_out, n_hidden))
                b2 = np.zeros((n_out, 1))
    """,
    "bias (n, 0)": """
        class TwoLayerNet(Base):
            def __init__(self, n_in, n_hidden, n_out, seed=0):
                rng = np.random.default_rng(seed)
                self.W1 = rng.normal(0, 0.5, (n_hidden, n_in))
                self.b1 = np.zeros((n_hidden, 0))
                self.W2 = rng.normal(0, 0.5, (n_out, n_hidden))
                self.b2 = np.zeros((n_out, 0))
    """,
    "bias (n, 2)": """
        class TwoLayerNet(Base):
            def __init__(self, n_in, n_hidden, n_out, seed=0):
                rng = np.random.default_rng(seed)
                self.W1 = rng.normal(0, 0.5, (n_hidden, n_in))
                self.b1 = np.zeros((n_hidden, 2))
                self.W2 = rng.normal(0, 0.5, (n_out, n_hidden))
                self.b2 = np.zeros((n_out, 2))
    """,
    "backprop_net_weights_transposed": """
        class TwoLayerNet(Base):
            def __init__(self, n_in, n_hidden, n_out, seed=0):
                rng = np.random.default_rng(seed)
                self.W1 = rng.normal(0, 0.5, (n_in, n_hidden))
                self.b1 = np.zeros((n_hidden, 1))
                self.W2 = rng.normal(0, 0.5, (n_hidden, n_out))
                self.b2 = np.zeros((n_out, 1))
    """,
    "backprop_net_zero_weights": """
        class TwoLayerNet(Base):
            def __init__(self, n_in, n_hidden, n_out, seed=0):
                self.W1 = np.zeros((n_hidden, n_in))
                self.b1 = np.zeros((n_hidden, 1))
                self.W2 = np.zeros((n_out, n_hidden))
                self.b2 = np.zeros((n_out, 1))
    """,
    "backprop_net_unseeded": """
        class TwoLayerNet(Base):
            def __init__(self, n_in, n_hidden, n_out, seed=0):
                self.W1 = np.random.randn(n_hidden, n_in)
                self.b1 = np.zeros((n_hidden, 1))
                self.W2 = np.random.randn(n_out, n_hidden)
                self.b2 = np.zeros((n_out, 1))
    """,
}


@pytest.mark.parametrize("name", list(WRONG_CONSTRUCTORS))
def test_a_wrong_constructor_loses_only_the_construction_check_and_is_named(name, tmp_path):
    # the grader assigns W1, b1, W2, b2 before calling the methods: only the construction check can see these
    result = _grade(_submission(tmp_path, TwoLayerNet=_net_with(WRONG_CONSTRUCTORS[name])))
    failed = _failed(result)
    assert set(failed) == NET_INIT_CHECKS
    mistake = name if name.startswith("backprop_") else "backprop_net_bias_shape"
    message = failed["TwoLayerNet: construction (W1, b1, W2, b2: shapes, seed)"]
    assert MISTAKES[mistake].en in message
    assert mistake in result.check("two_layer_net_init").mistakes
    assert result.score == POINTS - 0.25


def test_bias_shape_message_says_what_came_back_in_both_languages(tmp_path):
    path = _submission(tmp_path, TwoLayerNet=_net_with(WRONG_CONSTRUCTORS["bias (n, 0)"]))
    check = _grade(path, lang="es").check("two_layer_net_init")
    assert check.title("es") == "TwoLayerNet: construcción (W1, b1, W2, b2: formas, semilla)"
    assert check.text("en").startswith("TwoLayerNet(3, 5, 2, 7).b1 should have shape (5, 1); it has shape (5, 0).")
    assert check.text("es").startswith("TwoLayerNet(3, 5, 2, 7).b1 debería tener forma (5, 1); tiene forma (5, 0).")
    assert MISTAKES["backprop_net_bias_shape"].es in check.message


def test_missing_attribute_is_said(tmp_path):
    result = _grade(_submission(tmp_path, TwoLayerNet=_net_with(WRONG_CONSTRUCTORS["backprop_net_init_missing"])))
    assert result.check("two_layer_net_init").message.startswith("TwoLayerNet(3, 5, 2, 7) has no attribute W1 (")


WRONG_FORWARDS = {
    "backprop_net_z1_sign": ("""
                z1 = -(self.W1 @ x + self.b1)      # the sign of the exponent folded into z1
                a1 = 1.0 / (1.0 + np.exp(z1))      # so a1 is still σ(W1 x + b1)
                z2 = self.W2 @ a1 + self.b2
                return z1, a1, z2, z2"""),
    "backprop_net_z2_sign": ("""
                z1 = self.W1 @ x + self.b1
                a1 = sigmoid(z1)
                y = self.W2 @ a1 + self.b2
                z2 = -y                            # a sign slip in the pre-activation it reports
                return z1, a1, z2, y"""),
}


@pytest.mark.parametrize("mistake", list(WRONG_FORWARDS))
def test_a_sign_flip_in_z1_or_z2_loses_the_forward_checks_only_and_is_named(mistake, tmp_path):
    # y is right, so backward (σ'(−z) = σ'(z)), its gradient check and gradient_step keep their points
    forward = PIECES["TwoLayerNet"].split("            def forward(self, x):")[0] + \
        "            def forward(self, x):" + WRONG_FORWARDS[mistake] + "\n" + \
        "            def backward" + PIECES["TwoLayerNet"].split("            def backward")[1]
    assert WRONG_FORWARDS[mistake].strip() in forward and "def gradient_step" in forward
    result = _grade(_submission(tmp_path, TwoLayerNet=forward))
    failed = _failed(result)
    assert set(failed) == NET_FORWARD_CHECKS
    for check_id in ("two_layer_net_forward", "two_layer_net_forward_hidden"):
        check = result.check(check_id)
        assert MISTAKES[mistake].en in check.message and mistake in check.mistakes
    label = "z1" if mistake == "backprop_net_z1_sign" else "z2"
    assert failed["TwoLayerNet.forward: fixtures (z1, a1, z2, y)"].startswith(f"{label} [n_in = 3")
    assert result.score == POINTS - 0.5


# ------------------------------------------------------------------ softmax_cross_entropy_delta at |z| up to 1e3
UNSTABLE_SOFTMAXES = {
    "backprop_delta_max_added": """
        def softmax(z):
            e = np.exp(z + np.max(z, axis=0))
            return e / np.sum(e, axis=0)
    """,
    "backprop_delta_unstable": """
        def softmax(z):
            return np.exp(z) / np.sum(np.exp(z), axis=0)
    """,
}


@pytest.mark.parametrize("mistake", list(UNSTABLE_SOFTMAXES))
def test_an_unstable_softmax_in_the_delta_loses_the_large_z_checks_and_is_named(mistake, tmp_path):
    # ex2's own softmax, pasted from ex1, used by the delta: right at the usual |z| ≈ 2, NaN at |z| ≈ 1000
    activations = PIECES["activations"].split("        def softmax(z):")[0] + UNSTABLE_SOFTMAXES[mistake]
    result = _grade(_submission(tmp_path, activations=activations))
    failed = _failed(result)
    assert set(failed) == DELTA_STABLE_CHECKS
    other = next(m for m in UNSTABLE_SOFTMAXES if m != mistake)
    for check_id in ("softmax_cross_entropy_delta_stable", "costs_hidden"):
        check = result.check(check_id)
        assert MISTAKES[mistake].en in check.message and mistake in check.mistakes
        assert other not in check.mistakes
        assert "NaN at index" in check.message
    assert failed["softmax_cross_entropy_delta: stable for |z| up to 1000"].startswith(
        "softmax_cross_entropy_delta(z, t) [z of shape (4, 6) with |z| up to 1000]: NaN at index (")
    assert result.score == POINTS - _points(DELTA_STABLE_CHECKS)  # 0.25 + 1


def test_unstable_delta_in_spanish(tmp_path):
    activations = PIECES["activations"].split("        def softmax(z):")[0] + \
        UNSTABLE_SOFTMAXES["backprop_delta_max_added"]
    result = _grade(_submission(tmp_path, activations=activations), lang="es")
    check = result.check("softmax_cross_entropy_delta_stable")
    assert check.title("es") == "softmax_cross_entropy_delta: estable para |z| de hasta 1000"
    assert "NaN en el índice (" in check.message and MISTAKES["backprop_delta_max_added"].es in check.message


def test_delta_large_cases_tell_the_two_unstable_mistakes_apart():
    """On every large-|z| case (public, and hidden with many keys) the two mistakes give different outputs, and
    the reference's outputs are finite and never subnormal where a mistake differs from it."""
    from autograder.reference_cases import live_cases

    for key in ["public"] + [f"key-{i}" for i in range(20)]:
        for case in live_cases(ex2.DELTA_LARGE_SPEC, key):
            expected = case.accepted["reference"]["softmax_cross_entropy_delta(z, t)"]
            assert np.isfinite(expected).all()
            added = case.variants["backprop_delta_max_added"]["softmax_cross_entropy_delta(z, t)"]
            plain = case.variants["backprop_delta_unstable"]["softmax_cross_entropy_delta(z, t)"]
            assert np.isnan(added).any() and np.isnan(plain).any()
            assert not np.array_equal(added, plain, equal_nan=True)
            assert np.array_equal(case.inputs["z"].astype(np.float32).astype(np.float64), case.inputs["z"])


# ------------------------------------------------------------------ the catalogue's mistakes as students write them
def _net_replace(old: str, new: str) -> dict:
    assert old in PIECES["TwoLayerNet"], old
    return {"TwoLayerNet": PIECES["TwoLayerNet"].replace(old, new)}


def _mlp_replace(old: str, new: str) -> dict:
    assert old in PIECES["mlp_backward"], old
    return {"mlp_backward": PIECES["mlp_backward"].replace(old, new)}


MLP_BACKWARD_IDS = {"mlp_backward", "mlp_backward_gradient", "mlp_backward_hidden"}
NET_BACKWARD_IDS = {"two_layer_net_backward", "two_layer_net_backward_gradient", "two_layer_net_hidden"}
DELTA_IDS = {"softmax_cross_entropy_delta", "softmax_cross_entropy_delta_stable", "costs_hidden"}

#: mistake id -> (pieces replaced, ids of the checks that fail, each naming the mistake)
WRITTEN_MISTAKES = {
    "backprop_relu_prime_is_relu": ({"relu_prime": """
        def relu_prime(z):
            return np.maximum(z, 0)
    """}, {"relu_prime", "derivatives_hidden"}),
    "backprop_sigmoid_prime_no_one_minus": ({"sigmoid_prime": """
        def sigmoid_prime(z):
            return sigmoid(z)
    """}, {"sigmoid_prime", "derivatives_hidden"}),
    "backprop_tanh_prime_not_squared": ({"tanh_prime": """
        def tanh_prime(z):
            return 1 - np.tanh(z)
    """}, {"tanh_prime", "derivatives_hidden"}),
    "backprop_mse_mean_entries": ({"mse_loss": """
        def mse_loss(y, t):
            return 0.5 * np.mean((y - t) ** 2)
    """}, {"mse_loss", "costs_hidden"}),
    "backprop_mse_rows": ({"mse_loss": """
        def mse_loss(y, t):
            m = len(y)
            return np.sum((y - t) ** 2) / (2 * m)
    """}, {"mse_loss", "costs_hidden"}),
    "backprop_ce_binary_terms": ({"cross_entropy_loss": """
        def cross_entropy_loss(y, t):
            return -np.sum(t * np.log(y) + (1 - t) * np.log(1 - y)) / y.shape[1]
    """}, {"cross_entropy_loss", "costs_hidden"}),
    "backprop_ce_no_minus": ({"cross_entropy_loss": """
        def cross_entropy_loss(y, t):
            return np.sum(t * np.log(y)) / y.shape[1]
    """}, {"cross_entropy_loss", "costs_hidden"}),
    "backprop_ce_mean_entries": ({"cross_entropy_loss": """
        def cross_entropy_loss(y, t):
            return -np.mean(t * np.log(y))
    """}, {"cross_entropy_loss", "costs_hidden"}),
    "backprop_bce_sum": ({"binary_cross_entropy_loss": """
        def binary_cross_entropy_loss(y, t):
            return -np.sum(t * np.log(y) + (1 - t) * np.log(1 - y))
    """}, {"binary_cross_entropy_loss", "costs_hidden"}),
    "backprop_bce_no_minus": ({"binary_cross_entropy_loss": """
        def binary_cross_entropy_loss(y, t):
            return np.mean(np.sum(t * np.log(y) + (1 - t) * np.log(1 - y), axis=0))
    """}, {"binary_cross_entropy_loss", "costs_hidden"}),
    "backprop_delta_softmax_axis1": ({"softmax_cross_entropy_delta": """
        def softmax_cross_entropy_delta(z, t):
            e = np.exp(z - z.max(axis=1, keepdims=True))
            return (e / e.sum(axis=1, keepdims=True) - t) / z.shape[1]
    """}, DELTA_IDS),
    "backprop_delta_no_softmax": ({"softmax_cross_entropy_delta": """
        def softmax_cross_entropy_delta(z, t):
            return (z - t) / z.shape[1]
    """}, DELTA_IDS),
    "backprop_delta_sign": ({"softmax_cross_entropy_delta": """
        def softmax_cross_entropy_delta(z, t):
            return (t - softmax(z)) / z.shape[1]
    """}, DELTA_IDS),
    "backprop_delta_global_max": ({"softmax_cross_entropy_delta": """
        def softmax_cross_entropy_delta(z, t):
            e = np.exp(z - np.max(z))
            return (e / e.sum(axis=0) - t) / z.shape[1]
    """}, {"softmax_cross_entropy_delta_stable", "costs_hidden"}),
    "backprop_mlp_W_not_transposed": (_mlp_replace("da = np.dot(W.T, delta)", "da = np.dot(W, delta)"),
                                      MLP_BACKWARD_IDS),
    "backprop_mlp_fprime_of_a": (_mlp_replace(
        'delta = da * derivative[activations[k]](cache["z"])',
        'a = {"linear": lambda v: v, "sigmoid": sigmoid, "tanh": tanh, "relu": relu}[activations[k]](cache["z"])\n'
        '                delta = da * derivative[activations[k]](a)'), MLP_BACKWARD_IDS),
    "backprop_mlp_extra_m": (_mlp_replace(
        'grads[k] = (np.dot(delta, cache["a_prev"].T), np.sum(delta, axis=1, keepdims=True))',
        'm = delta.shape[1]\n'
        '                grads[k] = (np.dot(delta, cache["a_prev"].T) / m, np.sum(delta, axis=1, keepdims=True) / m)'),
        MLP_BACKWARD_IDS),
    "backprop_mlp_db_axis0": (_mlp_replace("np.sum(delta, axis=1, keepdims=True)",
                                           "np.sum(delta, axis=0, keepdims=True)"), MLP_BACKWARD_IDS),
    "backprop_mlp_not_reversed": ({"mlp_backward": """
        def mlp_backward(dy, caches, params, activations):
            derivative = {"linear": lambda v: np.ones_like(v), "sigmoid": sigmoid_prime,
                          "tanh": tanh_prime, "relu": relu_prime}
            grads, da = [], dy
            for k in reversed(range(len(params))):
                delta = da * derivative[activations[k]](caches[k]["z"])
                grads.append((delta @ caches[k]["a_prev"].T, delta.sum(axis=1, keepdims=True)))
                da = params[k][0].T @ delta
            return grads
    """}, MLP_BACKWARD_IDS),
    "backprop_net_no_sigmoid_prime": (_net_replace("d1 = self.W2.T @ d2 * a1 * (1 - a1)", "d1 = self.W2.T @ d2"),
                                      NET_BACKWARD_IDS),
    "backprop_net_sigmoid_prime_of_a": (_net_replace("d1 = self.W2.T @ d2 * a1 * (1 - a1)",
                                                     "d1 = self.W2.T @ d2 * sigmoid_prime(a1)"), NET_BACKWARD_IDS),
    "backprop_net_sign": (_net_replace("d2 = (y - t) / m", "d2 = (t - y) / m"), NET_BACKWARD_IDS),
    "backprop_net_db_mean": (_net_replace(
        "return d1 @ x.T, d1.sum(axis=1, keepdims=True), d2 @ a1.T, d2.sum(axis=1, keepdims=True)",
        "return d1 @ x.T, d1.mean(axis=1, keepdims=True), d2 @ a1.T, d2.mean(axis=1, keepdims=True)"),
        NET_BACKWARD_IDS),
    "backprop_net_step_weights_only": (_net_replace(
        """                for name, g in zip(("W1", "b1", "W2", "b2"), grads):
                    getattr(self, name)[...] -= eta * g""",
        """                self.W1 = self.W1 - eta * grads[0]
                self.W2 = self.W2 - eta * grads[2]"""), {"gradient_step", "two_layer_net_hidden"}),
    "backprop_net_step_fixed_eta": (_net_replace(
        "getattr(self, name)[...] -= eta * g", "getattr(self, name)[...] -= 0.1 * g"),
        {"gradient_step", "two_layer_net_hidden"}),
    "backprop_numgrad_all_at_once": ({"numerical_gradient": """
        def numerical_gradient(f, x, h=1e-5):
            return np.ones_like(x) * (f(x + h) - f(x - h)) / (2 * h)
    """}, {"numerical_gradient", "numerical_gradient_hidden"}),
    "backprop_numgrad_rows": ({"numerical_gradient": """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros_like(x)
            for i in range(len(x)):
                old = x[i].copy()
                x[i] = old + h
                up = f(x)
                x[i] = old - h
                down = f(x)
                x[i] = old
                grad[i] = (up - down) / (2 * h)
            return grad
    """}, {"numerical_gradient", "numerical_gradient_hidden"}),
}


@pytest.mark.parametrize("mistake", list(WRITTEN_MISTAKES))
def test_a_written_mistake_loses_its_checks_only_and_is_named(mistake, tmp_path):
    pieces, expected = WRITTEN_MISTAKES[mistake]
    result = _grade(_submission(tmp_path, **pieces))
    failed = {c.id.split(".", 1)[1]: c for c in result.checks if not c.passed}
    # a wrong derivative also reaches the student's own mlp_backward / TwoLayerNet.backward, which call it
    spread = MLP_BACKWARD_IDS if mistake in ("backprop_relu_prime_is_relu", "backprop_sigmoid_prime_no_one_minus",
                                             "backprop_tanh_prime_not_squared") else set()
    assert set(failed) - spread == expected
    for check_id in expected:
        check = failed[check_id]
        assert mistake in check.mistakes, check.id
        assert MISTAKES[mistake].en in check.message


def test_mlp_backward_gradient_check_names_the_db_mean_and_the_missing_output_derivative(tmp_path):
    # the two mistakes the gradient check used to leave unnamed: it now matches the known mistakes' gradients
    # on its own draws
    for mistake, pieces in (
            ("backprop_mlp_db_mean", _mlp_replace("np.sum(delta, axis=1, keepdims=True)",
                                                  "np.mean(delta, axis=1, keepdims=True)")),
            ("backprop_mlp_no_last_fprime", _mlp_replace(
                'delta = da * derivative[activations[k]](cache["z"])',
                'delta = da if k == len(params) - 1 else da * derivative[activations[k]](cache["z"])'))):
        check = _grade(_submission(tmp_path, **pieces), lang="es").check("mlp_backward_gradient")
        assert not check.passed and mistake in check.mistakes
        assert MISTAKES[mistake].es in check.message


def test_gradient_step_with_any_fixed_rate_is_named(tmp_path):
    # recognised from the step itself (θ − c·∂J/∂θ for one c ≠ η), whatever the constant (the hidden check
    # names it by comparison with the known mistake, whose constant is 0.1)
    result = _grade(_submission(tmp_path, **_net_replace("getattr(self, name)[...] -= eta * g",
                                                         "getattr(self, name)[...] -= 0.05 * g")))
    assert "backprop_net_step_fixed_eta" in result.check("gradient_step").mistakes


CORRECT_COSTS = {
    "cross-entropy with a tiny epsilon in the log, binary cross-entropy with clipping": {
        "cross_entropy_loss": """
            def cross_entropy_loss(y, t):
                return -np.sum(t * np.log(y + 1e-12)) / y.shape[1]
        """,
        "binary_cross_entropy_loss": """
            def binary_cross_entropy_loss(y, t):
                y = np.clip(y, 1e-12, 1 - 1e-12)
                return -np.sum(t * np.log(y) + (1 - t) * np.log(1 - y)) / y.shape[1]
        """,
    },
    "mse as the mean of per-example sums, delta with a global-max-free log-softmax": {
        "mse_loss": """
            def mse_loss(y, t):
                return np.mean(0.5 * np.sum((y - t) ** 2, axis=0))
        """,
        "softmax_cross_entropy_delta": """
            def softmax_cross_entropy_delta(z, t):
                shifted = z - z.max(axis=0)
                log_p = shifted - np.log(np.exp(shifted).sum(axis=0))
                return (np.exp(log_p) - t) / z.shape[1]
        """,
    },
}


@pytest.mark.parametrize("name", list(CORRECT_COSTS))
def test_correct_cost_forms_keep_full_marks(name, tmp_path):
    result = _grade(_submission(tmp_path, **CORRECT_COSTS[name]))
    assert _failed(result) == {}
    assert result.score == POINTS


# ------------------------------------------------------------------ the other derivatives (docs/contract-activations.md)
#: mistake id -> (the derivative as a student writes it, ids of the checks that fail, each naming the mistake)
WRITTEN_OTHER_PRIMES = {
    "backprop_gelu_prime_cdf_only": ({"gelu_prime": """
        import math

        def gelu_prime(z):
            return 0.5 * (1 + np.vectorize(math.erf)(z / np.sqrt(2)))
    """}, {"gelu_prime", "gelu_prime_hidden"}),
    "backprop_gelu_prime_pdf_only": ({"gelu_prime": """
        def gelu_prime(z):
            return np.exp(-z ** 2 / 2) / np.sqrt(2 * np.pi)
    """}, {"gelu_prime", "gelu_prime_hidden"}),
    "backprop_elu_prime_one_at_zero": ({"elu_prime": """
        def elu_prime(z, alpha=1.0):
            return np.where(z >= 0, 1.0, alpha * np.exp(z))
    """}, {"elu_prime", "elu_prime_hidden"}),
    "backprop_elu_prime_is_elu": ({"elu_prime": """
        def elu_prime(z, alpha=1.0):
            return np.where(z > 0, 1.0, alpha * (np.exp(z) - 1))
    """}, {"elu_prime", "elu_prime_hidden"}),
    "backprop_selu_prime_no_lambda": ({"selu_prime": """
        def selu_prime(z):
            return np.where(z > 0, 1.0, 1.6732632423543772 * np.exp(z))
    """}, {"selu_prime", "selu_prime_hidden"}),
    "backprop_swish_prime_no_z_term": ({"swish_prime": """
        def swish_prime(z):
            return sigmoid(z)
    """}, {"swish_prime", "swish_prime_hidden"}),
    "backprop_softplus_prime_sign": ({"softplus_prime": """
        def softplus_prime(z):
            return 1 / (1 + np.exp(z))
    """}, {"softplus_prime", "softplus_prime_hidden"}),
}


@pytest.mark.parametrize("mistake", list(WRITTEN_OTHER_PRIMES))
def test_a_written_derivative_mistake_loses_its_checks_only_and_is_named(mistake, tmp_path):
    pieces, expected = WRITTEN_OTHER_PRIMES[mistake]
    result = _grade(_submission(tmp_path, **pieces))
    failed = {c.id.split(".", 1)[1]: c for c in result.checks if not c.passed}
    assert set(failed) == expected
    for check in failed.values():
        assert mistake in check.mistakes, check.id
        assert MISTAKES[mistake].en in check.message
    assert result.score == POINTS - sum(c.max_points for c in failed.values())


def test_gelu_prime_as_the_cdf_alone_is_named_in_spanish(tmp_path):
    result = _grade(_submission(tmp_path, **WRITTEN_OTHER_PRIMES["backprop_gelu_prime_cdf_only"][0]), lang="es")
    check = result.check("gelu_prime")
    assert check.title("es") == "gelu_prime: casos públicos"
    assert MISTAKES["backprop_gelu_prime_cdf_only"].es in check.message
    assert result.check("gelu_prime_hidden").title("es") == "gelu_prime (oculta): entradas nuevas"


OTHER_PRIME_FORMS = {
    "float32 results": {
        "softplus_prime": """
            def softplus_prime(z):
                return (1 / (1 + np.exp(-z))).astype(np.float32)
        """,
        "elu_prime": """
            def elu_prime(z, alpha=1.0):
                return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0))).astype(np.float32)
        """,
        "selu_prime": """
            def selu_prime(z):
                z = z.astype(np.float32)
                return np.float32(1.0507009873554805) * np.where(
                    z > 0, np.float32(1), np.float32(1.6732632423543772) * np.exp(np.minimum(z, 0)))
        """,
        "swish_prime": """
            def swish_prime(z):
                s = (1 / (1 + np.exp(-z))).astype(np.float32)
                return s + z.astype(np.float32) * s * (1 - s)
        """,
        "gelu_prime": """
            import math

            def gelu_prime(z):
                z = z.astype(np.float32)
                cdf = 0.5 * (1 + np.vectorize(math.erf, otypes=[np.float32])(z / np.float32(math.sqrt(2))))
                return (cdf + z * np.exp(-z * z / 2) / np.float32(math.sqrt(2 * math.pi))).astype(np.float32)
        """,
    },
    "through the student's own helpers: σ by logaddexp, Φ by erfc, selu_prime from elu_prime": {
        "softplus_prime": """
            def softplus_prime(z):
                return np.exp(-np.logaddexp(0.0, -z))
        """,
        "selu_prime": """
            def selu_prime(z):
                return 1.0507009873554805 * elu_prime(z, alpha=1.6732632423543772)
        """,
        "swish_prime": """
            def swish_prime(z):
                s = softplus_prime(z)
                return s + z * s * (1 - s)
        """,
        "gelu_prime": """
            from math import erfc, exp, pi, sqrt

            def gelu_prime(z):
                return np.array([[0.5 * erfc(-v / sqrt(2)) + v * exp(-v * v / 2) / sqrt(2 * pi) for v in row]
                                 for row in z])
        """,
    },
}


@pytest.mark.parametrize("name", list(OTHER_PRIME_FORMS))
def test_correct_forms_of_the_other_derivatives_keep_full_marks(name, tmp_path):
    result = _grade(_submission(tmp_path, **OTHER_PRIME_FORMS[name]))
    assert _failed(result) == {}
    assert result.score == POINTS
