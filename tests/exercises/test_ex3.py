"""ex3 dropout: differently written correct solutions keep full marks; student-written mistakes lose
exactly the checks that target them, with the mistake named."""
import textwrap

import pytest

from autograder.exercises.ex3 import MISTAKES
from autograder.grading import grade_file

BACKWARD = """
def dropout_backward(dout, mask):
    return dout if mask is None else dout * mask
"""

CORRECT = {
    "binomial": """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng if rng is not None else np.random.default_rng()
            mask = rng.binomial(1, p, size=a.shape) / p
            return a * mask, mask
    """,
    "uniform_bool_copy": """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a.copy(), None
            if rng is None:
                rng = np.random.default_rng()
            keep = rng.uniform(0.0, 1.0, a.shape) < p
            mask = keep.astype(np.float32) / np.float32(p)   # float32 mask: accepted at float32 precision
            out = np.where(keep, a / p, 0.0)
            return out, mask
    """,
    "loops": """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng or np.random.default_rng()
            u = rng.random(a.shape)
            mask = np.zeros(a.shape)
            out = np.zeros(a.shape)
            for i in range(a.shape[0]):
                for j in range(a.shape[1]):
                    if u[i, j] < p:
                        mask[i, j] = 1 / p
                        out[i, j] = a[i, j] / p
            return out, mask
    """,
}


def _grade(tmp_path, forward, backward=BACKWARD, lang="en"):
    path = tmp_path / "ex3_dropout.py"
    path.write_text("import numpy as np\n" + textwrap.dedent(forward) + textwrap.dedent(backward))
    return grade_file("ex3", path, hidden=True, lang=lang)


def _failed(result):
    return {c.name: c.message for c in result.checks if not c.passed}


@pytest.mark.parametrize("name", list(CORRECT))
def test_correct_solutions_written_differently_keep_full_marks(tmp_path, name):
    result = _grade(tmp_path, CORRECT[name])
    assert _failed(result) == {}
    assert result.score == 10


def test_forgetting_to_divide_by_p(tmp_path):
    result = _grade(tmp_path, """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            mask = (rng.random(a.shape) < p).astype(float)
            return a * mask, mask
    """)
    failed = _failed(result)
    assert set(failed) == {"dropout_forward: mask values are 0 or 1/p",
                           "dropout_forward (hidden): fresh shapes and keep probabilities",
                           "dropout_forward (hidden): works with the default rng"}  # rng=None crashes it
    assert MISTAKES["dropout_no_scale"].en in failed["dropout_forward: mask values are 0 or 1/p"]


def test_p_read_as_the_drop_probability_in_spanish(tmp_path):
    result = _grade(tmp_path, """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng or np.random.default_rng()
            mask = (rng.random(a.shape) > p) / (1 - p)
            return a * mask, mask
    """, lang="es")
    failed = _failed(result)
    assert MISTAKES["dropout_p_is_drop"].es in failed["dropout_forward: keep rate within a binomial bound of p"]
    assert MISTAKES["dropout_p_is_drop"].es in failed["dropout_forward: mask values are 0 or 1/p"]
    assert "dropout_backward: dout * mask, and dout when mask is None" not in failed


def test_scaling_at_test_time(tmp_path):
    result = _grade(tmp_path, """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a * p, None
            rng = rng or np.random.default_rng()
            mask = (rng.random(a.shape) < p) / p
            return a * mask, mask
    """)
    failed = _failed(result)
    assert set(failed) == {"dropout_forward: test mode returns a and mask None"}
    assert MISTAKES["dropout_scaled_at_test"].en in failed["dropout_forward: test mode returns a and mask None"]
    assert result.score == 9


def test_global_generator_instead_of_rng(tmp_path):
    result = _grade(tmp_path, """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            mask = (np.random.rand(*a.shape) < p) / p
            return a * mask, mask
    """)
    failed = _failed(result)
    assert set(failed) == {"dropout_forward: same seed, same mask; other seed, other mask"}
    assert MISTAKES["dropout_ignores_rng"].en in failed["dropout_forward: same seed, same mask; other seed, other mask"]


def test_scaling_at_test_time_in_spanish_has_spanish_titles_and_the_mistake_id(tmp_path):
    result = _grade(tmp_path, """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a * p, None
            rng = rng or np.random.default_rng()
            mask = (rng.random(a.shape) < p) / p
            return a * mask, mask
    """, lang="es")
    check = result.check("test_mode")
    assert check.id == "ex3.test_mode" and not check.passed
    assert check.title("es") == "dropout_forward: el modo test devuelve a y la máscara None"
    assert check.name == "dropout_forward: test mode returns a and mask None"
    assert MISTAKES["dropout_scaled_at_test"].es in check.message
    assert check.mistakes == ("dropout_scaled_at_test",)
    assert [c.id for c in result.checks if not c.passed] == ["ex3.test_mode"]
