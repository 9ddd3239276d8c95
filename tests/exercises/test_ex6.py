"""ex6 train-numpy: accuracy thresholds separate an MLP from a linear model and from an undertrained one;
format slips, foreign packages, slow training and a configured MNIST-format .npz get clear outcomes."""
import sys
import textwrap

import numpy as np
import pytest

from autograder import authoring, data
from autograder.exercises import ex6
from autograder.exercises.ex6 import MISTAKES
from autograder.grading import grade_file, grade_impl
from autograder.impl import LocalImpl

MOONS = "make_moons: test accuracy ≥ 0.92"
MOONS_HIDDEN = "make_moons (hidden): test accuracy ≥ 0.92 on a fresh split and seed"
DIGITS = "digits: test accuracy ≥ the threshold"
DIGITS_HIDDEN = "digits (hidden): test accuracy ≥ the threshold on a fresh split and seed"
LABELS = "predict: integer labels of shape (m,)"
TIME = "train: trains and predicts within 25 s per data set"

# the solution's train, cut down to what a student might write: its own helpers, NumPy only
SOLUTION = authoring.student_script("ex6", authoring.parse(authoring.source_path("ex6").read_text(encoding="utf-8")),
                                    keep_solutions=True)

LINEAR = """
import numpy as np

def train(X, T, seed):
    mean, std = X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True) + 1e-8
    Xs = (X - mean) / std
    W, b = np.zeros((T.shape[0], X.shape[0])), np.zeros((T.shape[0], 1))
    for _ in range(500):
        Z = W @ Xs + b
        Y = np.exp(Z - Z.max(axis=0)); Y /= Y.sum(axis=0)
        D = (Y - T) / X.shape[1]
        W -= 0.5 * D @ Xs.T
        b -= 0.5 * D.sum(axis=1, keepdims=True)
    return lambda Xn: np.argmax(W @ ((Xn - mean) / std) + b, axis=0)
"""

UNDERFIT = """
import numpy as np

def train(X, T, seed):
    rng = np.random.default_rng(seed)
    W1, b1 = rng.standard_normal((32, X.shape[0])) * 0.1, np.zeros((32, 1))
    W2, b2 = rng.standard_normal((T.shape[0], 32)) * 0.1, np.zeros((T.shape[0], 1))
    Xs = X / X.max()
    for epoch in range(2):                       # far too few full-batch steps
        A1 = 1 / (1 + np.exp(-(W1 @ Xs + b1)))
        Z2 = W2 @ A1 + b2
        Y = np.exp(Z2 - Z2.max(axis=0)); Y /= Y.sum(axis=0)
        D2 = (Y - T) / X.shape[1]
        D1 = (W2.T @ D2) * A1 * (1 - A1)
        W2 -= 0.1 * D2 @ A1.T; b2 -= 0.1 * D2.sum(axis=1, keepdims=True)
        W1 -= 0.1 * D1 @ Xs.T; b1 -= 0.1 * D1.sum(axis=1, keepdims=True)
    def predict(Xn):
        A1 = 1 / (1 + np.exp(-(W1 @ (Xn / X.max()) + b1)))
        return np.argmax(W2 @ A1 + b2, axis=0)
    return predict
"""


def _grade(tmp_path, source, hidden=True, lang="en", name="ex6_train_numpy.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return grade_file("ex6", path, hidden=hidden, lang=lang)


def _failed(result):
    return {c.name: c.message for c in result.checks if not c.passed}


def _solution_with_predict(body: str) -> str:
    """The solution whose predict returns ``body`` (an expression of ``scores``, the softmax outputs)."""
    old = "        return np.argmax(scores, axis=0)\n"
    assert old in SOLUTION
    return SOLUTION.replace(old, f"        return {body}\n")


def test_check_table_matches_the_registry():
    assert [c.name for c in ex6.CHECKS] == [LABELS, MOONS, MOONS_HIDDEN, DIGITS, DIGITS_HIDDEN, TIME]
    # the ids key gradebook columns: they never change
    assert [c.id for c in ex6.CHECKS] == ["predict_labels", "moons_accuracy", "moons_accuracy_hidden",
                                          "digits_accuracy", "digits_accuracy_hidden", "train_time"]
    assert sum(c.points for c in ex6.CHECKS if not c.hidden) == 10
    assert sum(c.points for c in ex6.CHECKS if c.hidden) == 5


@pytest.mark.parametrize("key", ["key-a", "key-b", "key-c", "key-d"])
def test_solution_clears_the_thresholds_on_other_hidden_keys(key):
    ns = {"__name__": "solution"}
    exec(compile(SOLUTION, "<solution>", "exec"), ns)
    result = grade_impl("ex6", LocalImpl({"train": ns["train"]}), hidden=True, lang="en", hidden_key=key)
    assert _failed(result) == {}
    assert result.score == 15


def test_linear_model_fails_the_moons_and_passes_the_digits(tmp_path):
    result = _grade(tmp_path, LINEAR)
    failed = _failed(result)
    assert set(failed) == {MOONS, MOONS_HIDDEN}
    assert "A linear model gets about 0.87" in failed[MOONS]
    accuracy = float(failed[MOONS].split("test accuracy ")[1].split()[0])
    assert 0.8 < accuracy < 0.92
    assert result.score == 8


def test_undertrained_network_fails_every_accuracy_check(tmp_path):
    result = _grade(tmp_path, UNDERFIT)
    assert set(_failed(result)) == {MOONS, MOONS_HIDDEN, DIGITS, DIGITS_HIDDEN}
    assert result.score == 3  # labels and time only


def test_importing_sklearn_inside_train_is_told_numpy_only(tmp_path):
    result = _grade(tmp_path, """
        import numpy as np

        def train(X, T, seed):
            from sklearn.neural_network import MLPClassifier
            model = MLPClassifier(random_state=seed).fit(X.T, T.argmax(axis=0))
            return lambda Xn: model.predict(Xn.T)
    """)
    assert result.error is None
    assert result.score == 0
    for check in result.checks:
        assert "ModuleNotFoundError" in check.message and "sklearn" in check.message
        assert MISTAKES["train_not_numpy"].en in check.message
    assert all("train_not_numpy" in result.check(c).mistakes for c in MISTAKES["train_not_numpy"].targets)


def test_importing_torch_at_top_level_makes_the_submission_unloadable_with_the_module_named(tmp_path):
    result = _grade(tmp_path, "import numpy as np\nimport torch\n\ndef train(X, T, seed):\n    pass\n")
    assert result.score == 0
    assert "ModuleNotFoundError" in result.error and "torch" in result.error


def test_numpy_only_in_process_follows_train_into_helpers_and_imports():
    # in a notebook's check cell the student's code runs in the kernel, where scikit-learn exists
    ns = {"__name__": "__main__"}
    exec(textwrap.dedent("""
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        def fit(X, y):
            return LogisticRegression().fit(X.T, y)

        def train(X, T, seed):
            model = fit(X, T.argmax(axis=0))
            return lambda Xn: model.predict(Xn.T)
    """), ns)
    assert ex6.foreign_modules(LocalImpl({"train": ns["train"]})) == ["sklearn"]
    result = grade_impl("ex6", LocalImpl({"train": ns["train"]}), hidden=True, lang="es")
    assert result.score == 0
    assert all(MISTAKES["train_not_numpy"].es in c.message and "sklearn" in c.message for c in result.checks)

    def train(X, T, seed):
        import tensorflow  # noqa: F401 - never run: the import is found in the code
    assert ex6.foreign_modules(LocalImpl({"train": train})) == ["tensorflow"]


def test_numpy_only_in_process_ignores_what_train_does_not_use():
    # the solution run as a notebook: its last cell imports make_moons, which train never uses
    ns = {"__name__": "__main__"}
    exec(compile(SOLUTION, "<notebook>", "exec"), ns)
    assert "make_moons" in ns
    impl = LocalImpl({"train": ns["train"]})
    assert ex6.foreign_modules(impl) == []
    assert grade_impl("ex6", impl, hidden=False, lang="en").full_marks


def test_predict_returning_probabilities_loses_only_the_labels_check(tmp_path):
    result = _grade(tmp_path, _solution_with_predict("scores"))
    failed = _failed(result)
    assert set(failed) == {LABELS}
    assert "of shape (2, 1000)" in failed[LABELS] and "It should return integer labels of shape (1000,)" in failed[LABELS]
    assert MISTAKES["train_predict_scores"].en in failed[LABELS]
    assert MISTAKES["train_predict_scores"].targets == ("predict_labels",)
    assert result.check("predict_labels").mistakes == ("train_predict_scores",)
    moons = result.check("moons_accuracy")
    assert "argmax(axis=0)" in moons.message
    assert result.score == 13


def test_predict_returning_float_labels_loses_only_the_labels_check(tmp_path):
    result = _grade(tmp_path, _solution_with_predict("np.argmax(scores, axis=0).astype(float)"))
    failed = _failed(result)
    assert set(failed) == {LABELS}
    assert "float64" in failed[LABELS] and MISTAKES["train_predict_float_labels"].en in failed[LABELS]
    assert result.check("predict_labels").mistakes == ("train_predict_float_labels",)
    assert result.score == 13


def test_predict_returning_one_probability_per_example_cannot_be_scored(tmp_path):
    result = _grade(tmp_path, _solution_with_predict("scores[-1]"), hidden=False)
    failed = _failed(result)
    assert set(failed) == {LABELS, MOONS, DIGITS}  # a row of probabilities: not labels on either data set
    assert "are not class labels" in failed[MOONS] and MISTAKES["train_predict_scores"].en in failed[MOONS]


def test_train_returning_weights_instead_of_a_function(tmp_path):
    result = _grade(tmp_path, SOLUTION.replace("    return predict, history\n", "    return params\n"), hidden=False)
    assert result.score == 0
    assert all("train returned dict" in c.message and MISTAKES["train_not_a_function"].en in c.message
               for c in result.checks)


def test_a_message_that_names_a_mistake_carries_its_id():
    def train(X, T, seed):
        return {"W": np.zeros((T.shape[0], X.shape[0]))}  # the weights instead of a predict function

    result = grade_impl("ex6", LocalImpl({"train": train}), hidden=True, lang="en")
    assert result.score == 0
    for check_id in MISTAKES["train_not_a_function"].targets:
        c = result.check(check_id)
        assert c.id == f"ex6.{check_id}" and not c.passed and c.outcome == "failed"
        assert c.mistakes == ("train_not_a_function",)
        assert "train returned dict." in c.message and MISTAKES["train_not_a_function"].en in c.message
        assert "train devolvió dict." in c.text("es") and MISTAKES["train_not_a_function"].es in c.text("es")
    assert {c.id for c in result.checks} == {f"ex6.{i}" for i in MISTAKES["train_not_a_function"].targets}


def test_slow_training_fails_only_the_checks_that_need_it(tmp_path, monkeypatch):
    monkeypatch.setattr(ex6, "TRAIN_TIMEOUT_S", 2.0)
    slow_on_digits = SOLUTION.replace('    """Train a one-hidden-layer', '    if X.shape[0] == 64:\n'
                                      '        import time; time.sleep(30)\n    """Train a one-hidden-layer', 1)
    result = _grade(tmp_path, slow_on_digits)
    failed = _failed(result)
    assert set(failed) == {DIGITS, DIGITS_HIDDEN, TIME}
    assert "did not finish within 2 s on the 8×8 digits" in failed[DIGITS]
    assert MISTAKES["train_too_slow"].en in failed[DIGITS_HIDDEN]
    # slow on one data set: that data set's checks and, whichever it is, the time check name the mistake
    assert MISTAKES["train_too_slow"].targets == ("train_time",)
    assert all("train_too_slow" in result.check(c).mistakes for c in ("digits_accuracy", "train_time"))


@pytest.fixture
def digits_npz(tmp_path):
    """A small Keras-format .npz: the 8×8 digits drawn as 28×28 uint8 images (pixels 0–255)."""
    X, T, X_test, y_test = data.digits(0)

    def images(cols):
        small = (cols.T.reshape(-1, 8, 8) * (255 / 16)).round().astype(np.uint8)
        big = np.kron(small, np.ones((1, 3, 3), dtype=np.uint8))           # 24×24
        return np.pad(big, ((0, 0), (2, 2), (2, 2)))                        # 28×28
    path = tmp_path / "tiny_mnist.npz"
    np.savez_compressed(path, x_train=images(X[:, :900]), y_train=T[:, :900].argmax(axis=0).astype(np.uint8),
                        x_test=images(X_test[:, :300]), y_test=y_test[:300].astype(np.uint8))
    return path


def test_mnist_npz_loads_the_keras_format_in_the_course_layout(digits_npz):
    split = data.mnist_npz(digits_npz, seed=3, n_train=500, n_test=200)
    assert split.X_train.shape == (784, 500) and split.X_train.dtype == np.float64
    assert split.T_train.shape == (10, 500) and np.all(split.T_train.sum(axis=0) == 1)
    assert split.X_test.shape == (784, 200) and split.y_test.shape == (200,)
    assert split.y_test.dtype.kind == "i" and split.X_train.max() == 255
    again, other = data.mnist_npz(digits_npz, seed=3, n_train=500, n_test=200), data.mnist_npz(digits_npz, seed=4)
    assert np.array_equal(again.X_train, split.X_train) and np.array_equal(again.y_test, split.y_test)
    assert other.X_train.shape == (784, 900)  # asked for more than there are: all of them
    assert not np.array_equal(other.X_train[:, :500], split.X_train)


def test_a_bad_npz_is_a_clear_error(tmp_path):
    path = tmp_path / "wrong.npz"
    np.savez(path, images=np.zeros((3, 28, 28)))
    with pytest.raises(data.DataUnavailable, match="not a Keras-format .npz: it has no x_train"):
        data.mnist_npz(path)
    with pytest.raises(data.DataUnavailable, match="no such file"):
        data.mnist_npz(tmp_path / "missing.npz")


def test_digits_checks_use_the_npz_named_by_the_environment(tmp_path, monkeypatch, digits_npz):
    monkeypatch.setenv("GRADER_DIGITS_NPZ", str(digits_npz))
    result = _grade(tmp_path, SOLUTION, hidden=False)
    digits = next(c for c in result.checks if c.name == DIGITS)
    assert digits.passed and "300 examples of tiny_mnist.npz (threshold 0.8)" in digits.message
    monkeypatch.setenv("GRADER_DIGITS_MIN_ACCURACY", "0.999")
    result = _grade(tmp_path, SOLUTION, hidden=False)
    assert set(_failed(result)) == {DIGITS}
    assert "it must reach 0.999" in _failed(result)[DIGITS]


def test_missing_scikit_learn_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(data.DataUnavailable, match=r"nn-grader\[keras\]"):
        data.moons(0)


# ------------------------------------------------------------------ the (predict, history) form: drawn, never scored
from autograder.feedback import feedback_html  # noqa: E402

RETURNS_HISTORY = "    return predict, history\n"


def _solution_returning(history_source: str) -> str:
    """The solution, wrapped so that train returns (predict, <history_source>) (an expression)."""
    assert RETURNS_HISTORY in SOLUTION
    return SOLUTION + textwrap.dedent(f"""

        _solution_train = train


        def train(X, T, seed):
            predict, history = _solution_train(X, T, seed)
            return predict, {history_source}
    """)


def _page(result, lang="en"):
    return feedback_html({**result.to_dict(), "student": "ana", "path": "x"}, lang)


def test_the_solution_returns_its_history_and_the_page_shows_curves_and_a_diagnosis(tmp_path):
    result = _grade(tmp_path, SOLUTION, hidden=False)
    assert result.full_marks
    curve = result.extras["learning_curve"]
    assert set(curve) == {"loss", "accuracy", "val_loss", "val_accuracy", "threshold"}
    assert curve["threshold"] == ex6.MOONS_THRESHOLD and 3 <= len(curve["loss"]) <= 200
    assert len({len(curve[k]) for k in ("loss", "accuracy", "val_loss", "val_accuracy")}) == 1
    page = _page(result)
    assert 'class="learning-curve loss"' in page and 'class="learning-curve accuracy"' in page
    assert "best epoch" in page and "Diagnosis: fine" in page and "Nothing to change." in page
    assert "Diagnóstico: bien" in _page(result, "es")
    assert "Note (not scored)" not in result.check("moons_accuracy").message


def test_plain_predict_keeps_full_marks_without_curves(tmp_path):
    result = _grade(tmp_path, SOLUTION.replace(RETURNS_HISTORY, "    return predict\n"))
    assert _failed(result) == {} and result.score == 15
    assert "learning_curve" not in result.extras and "decision_boundary" in result.extras
    assert "Note" not in result.check("moons_accuracy").message


@pytest.mark.parametrize("history, says", [
    ("[1, 2, 3]", "it is list, not a dict of lists"),
    ('{"val_loss": history["val_loss"]}', 'it has no "loss"'),
    ('{**history, "loss": history["loss"][:-1]}', "different lengths"),
    ('{**history, "val_loss": [float("nan")] * len(history["loss"])}', 'history["val_loss"] holds nan at epoch 1'),
    ('{**history, "loss": ["low"] * len(history["loss"])}', 'history["loss"] is not a list of numbers'),
    ('{"loss": [0.5] * 100000}', 'history["loss"] has 100000 values; at most 500'),
    ('{**history, "accuracy": [97.0] * len(history["loss"])}', "an accuracy is a fraction"),
    ('{"loss": np.ones((3, 3))}', 'history["loss"] is not a list of numbers'),
])
def test_a_malformed_history_keeps_full_marks_and_gets_a_note(tmp_path, history, says):
    result = _grade(tmp_path, _solution_returning(history), hidden=False)
    assert _failed(result) == {} and result.full_marks
    assert "learning_curve" not in result.extras
    moons = result.check("moons_accuracy")
    assert "Note (not scored): the history train returned is not drawn" in moons.message and says in moons.message
    assert "Nota (no puntúa)" in moons.text("es")
    assert not moons.mistakes


def test_an_overfitting_history_is_diagnosed_so(tmp_path):
    history = ('{"loss": [0.6 * 0.9 ** i for i in range(40)], "val_loss": [0.6 * 0.9 ** i for i in range(20)] '
               '+ [0.6 * 0.9 ** 19 * (1 + 0.1 * i) for i in range(1, 21)]}')
    result = _grade(tmp_path, _solution_returning(history), hidden=False)
    assert result.full_marks  # the diagnosis never changes a score
    page = _page(result)
    assert "Diagnosis: high variance / overfitting." in page and "best epoch 20" in page
    assert "early stopping" in page
    assert "varianza alta / sobreajuste" in _page(result, "es")


def test_an_underfitting_history_is_diagnosed_so(tmp_path):
    history = ('{"loss": [0.6 - 0.005 * i for i in range(30)], "accuracy": [0.80 + 0.002 * i for i in range(30)], '
               '"val_loss": [0.6 - 0.005 * i for i in range(30)], "val_accuracy": [0.8 + 0.002 * i for i in range(30)]}')
    result = _grade(tmp_path, _solution_returning(history), hidden=False)
    assert result.full_marks
    page = _page(result)
    assert "Diagnosis: high bias / underfitting." in page and "below the threshold 0.92" in page
    assert "a larger network" in page
    assert "sesgo alto / subajuste" in _page(result, "es")
