"""ex3 dropout: differently written correct solutions keep full marks; student-written mistakes lose
exactly the checks that target them, with the mistake named."""
import textwrap

import numpy as np
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


def _failed_ids(result):
    return {c.id.split(".", 1)[1] for c in result.checks if not c.passed}


def test_p_read_as_the_drop_probability_is_scored_once_in_spanish(tmp_path):
    """One error, one check: the keep rate fails and names it; the mask values (1/(1 − p)) and the hidden
    checks' keep rates (1 − p), wrong only because of it, keep their points and say why."""
    result = _grade(tmp_path, """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng or np.random.default_rng()
            mask = (rng.random(a.shape) > p) / (1 - p)
            return a * mask, mask
    """, lang="es")
    assert _failed_ids(result) == {"keep_rate"}
    keep_rate = result.check("keep_rate")
    assert MISTAKES["dropout_p_is_drop"].es in keep_rate.message
    assert keep_rate.mistakes == ("dropout_p_is_drop",)
    assert result.score == 10 - keep_rate.max_points
    for check_id in ("mask_values", "hidden_forward", "hidden_default_rng"):
        kept = result.check(check_id)
        assert kept.passed and kept.mistakes == ()
        assert "Correcto si p fuera la probabilidad de apagar una unidad" in kept.message
        assert "se puntúa una vez" in kept.message and "conserva sus puntos" in kept.text("es")
        assert "scored once, by the keep-rate check, so this check keeps its points" in kept.text("en")
    assert "1 − p = 0.2" in result.check("mask_values").text("en")


def test_p_as_drop_probability_with_another_error_is_not_excused(tmp_path):
    """Only the exact p_is_drop output keeps points: 1/(1 − p) values with a keep rate of p are wrong values."""
    result = _grade(tmp_path, """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng or np.random.default_rng()
            mask = (rng.random(a.shape) < p) / (1 - p)
            return a * mask, mask
    """)
    assert {"mask_values", "hidden_forward"} <= _failed_ids(result)
    assert "dropout_p_is_drop" in result.check("mask_values").mistakes


SHARED_MASKS = {
    # one draw per unit (row), repeated over the examples: every example drops the same units
    "dropout_mask_shared_across_examples": """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng or np.random.default_rng()
            keep = rng.random((a.shape[0], 1)) < p
            mask = np.repeat(keep, a.shape[1], axis=1) / p
            return a * mask, mask
    """,
    # one draw per example (column), repeated over the units: whole examples are dropped
    "dropout_mask_shared_across_units": """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            if rng is None:
                rng = np.random.default_rng()
            mask = np.tile(rng.random(a.shape[1]) < p, (a.shape[0], 1)) / p
            return a * mask, mask
    """,
}


@pytest.mark.parametrize("mistake", list(SHARED_MASKS))
def test_a_mask_shared_along_one_axis_fails_independence_and_is_named(tmp_path, mistake):
    """A mask repeated along rows or columns passed every check before; now it loses the independence checks
    (public and hidden), named, and only those: its keep rate is judged over its independent draws."""
    result = _grade(tmp_path, SHARED_MASKS[mistake])
    assert _failed_ids(result) == {"independent", "hidden_forward"}
    for check_id in ("independent", "hidden_forward"):
        check = result.check(check_id)
        assert check.mistakes == (mistake,)
        assert MISTAKES[mistake].en in check.message
        assert "the mask's entries are not drawn independently" in check.message
    assert result.score == 8
    for check_id in ("keep_rate", "hidden_default_rng"):  # kept, and said why when the pooled count is off
        check = result.check(check_id)
        assert check.passed and check.mistakes == ()
        assert check.message == "ok" or "scored once, by the independence check" in check.message


def test_a_mask_shared_along_one_axis_in_spanish(tmp_path):
    result = _grade(tmp_path, SHARED_MASKS["dropout_mask_shared_across_units"], lang="es")
    check = result.check("independent")
    assert check.title("es").startswith("dropout_forward: elementos de la máscara generados de forma independiente")
    assert "los elementos de la máscara no se generan de forma independiente: la columna" in check.message
    assert MISTAKES["dropout_mask_shared_across_units"].es in check.message


def test_normal_draws_compared_with_p_are_named(tmp_path):
    result = _grade(tmp_path, """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng or np.random.default_rng()
            mask = (rng.standard_normal(a.shape) < p) / p
            return a * mask, mask
    """)
    assert _failed_ids(result) == {"keep_rate", "hidden_forward", "hidden_default_rng"}
    for check_id in MISTAKES["dropout_normal_draws"].targets:
        check = result.check(check_id)
        assert check.mistakes == ("dropout_normal_draws",)
        assert MISTAKES["dropout_normal_draws"].en in check.message


def test_backward_with_the_mask_as_a_boolean_is_named(tmp_path):
    result = _grade(tmp_path, CORRECT["binomial"], """
        def dropout_backward(dout, mask):
            if mask is None:
                return dout
            return dout * (mask != 0)
    """)
    assert _failed_ids(result) == {"backward"}
    assert result.check("backward").mistakes == ("dropout_backward_bool_mask",)
    assert MISTAKES["dropout_backward_bool_mask"].en in result.check("backward").message


PLACEHOLDERS = {
    "returns (None, None) and None": ("""
        def dropout_forward(a, p, train=True, rng=None):
            # YOUR CODE HERE
            return None, None
    """, """
        def dropout_backward(dout, mask):
            # YOUR CODE HERE
            return None
    """),
    "pass": ("""
        def dropout_forward(a, p, train=True, rng=None):
            pass
    """, """
        def dropout_backward(dout, mask):
            pass
    """),
}


@pytest.mark.parametrize("kind", list(PLACEHOLDERS))
@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_placeholder_return_says_not_implemented(tmp_path, kind, lang):
    forward, backward = PLACEHOLDERS[kind]
    result = _grade(tmp_path, forward, backward, lang=lang)
    assert result.score == 0
    for check in result.checks:
        name = "dropout_backward()" if check.id == "ex3.backward" else "dropout_forward()"
        assert check.text("en").startswith(f"{name} is not implemented yet: it returns "), check.text("en")
        assert check.text("es").startswith(f"{name} aún no está implementada: devuelve "), check.text("es")
        assert "AttributeError" not in check.message


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


# ------------------------------------------------------------------ the independence bound itself
class _Ctx:
    """Enough of a check's context to call the module's assertions directly."""

    lang = "en"

    def text(self, text, **fields):
        return text("en", **fields)

    def mistake(self, mistake_id):
        return " Likely mistake: " + MISTAKES[mistake_id].en


def test_independence_bound_passes_independent_masks_and_fails_shared_ones_on_many_seeds():
    from autograder.checks import Fail
    from autograder.exercises import ex3

    ctx = _Ctx()
    for seed in range(100):
        rng = np.random.default_rng(seed)
        for p in (0.3, 0.6, 0.9):
            shape = (150, 250) if seed % 2 else tuple(int(s) for s in rng.integers(120, 180, size=2))
            ex3._assert_independent(ctx, (rng.random(shape) < p) / p)  # no Fail
            for draw, mistake in (((shape[0], 1), "dropout_mask_shared_across_examples"),
                                  ((1, shape[1]), "dropout_mask_shared_across_units")):
                shared = np.broadcast_to((rng.random(draw) < p) / p, shape)
                with pytest.raises(Fail) as failure:
                    ex3._assert_independent(ctx, shared)
                assert MISTAKES[mistake].en in failure.value.message


def test_group_rate_limit_bounds_the_exact_hypergeometric_tail():
    """The bound's premise, exactly: given the total, a row's count is hypergeometric, and the probability
    that L·KL(K/L ‖ q) exceeds c is at most 2e^(−c) (so at most alpha/groups at the limit)."""
    import math

    hypergeom = pytest.importorskip("scipy.stats").hypergeom
    from autograder import stats

    for groups, length, p in ((150, 250, 0.6), (250, 150, 0.6), (122, 167, 0.3), (167, 122, 0.9), (150, 250, 0.02)):
        cells = groups * length
        total = round(p * cells)
        q = total / cells
        k = np.arange(length + 1)
        pmf = hypergeom.pmf(k, cells, total, length)
        scores = np.array([length * stats.kl_bernoulli(x / length, q) for x in k])
        for c in (2.0, 5.0, 10.0, 15.0, stats.group_rate_limit(groups)):
            assert pmf[scores > c].sum() <= 2 * math.exp(-c)
        limit = stats.group_rate_limit(groups)
        assert groups * pmf[scores > limit].sum() <= stats.TAIL
    assert stats.group_rate_limit(150) == pytest.approx(math.log(2 * 150 / stats.TAIL))
    assert stats.TAIL == pytest.approx(1.158e-7, rel=1e-3)


# ------------------------------------------------------------------ issue 13: the catalogue grown per function
def test_keeping_units_with_less_or_equal_keeps_full_marks(tmp_path):
    """U <= p and U < p differ with probability zero: both are correct."""
    result = _grade(tmp_path, """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = np.random.default_rng() if rng is None else rng
            mask = (rng.random(a.shape) <= p) / p
            return a * mask, mask
    """)
    assert _failed(result) == {}
    assert result.score == 10


#: student-written forward passes, each with one mistake: (source, the checks it loses)
WRONG_FORWARD = {
    "dropout_mask_unscaled": ("""
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng or np.random.default_rng()
            keep = rng.random(a.shape) < p
            return a * keep / p, keep
    """, {"mask_values", "hidden_forward"}),
    "dropout_out_not_masked": ("""
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng or np.random.default_rng()
            mask = (rng.random(a.shape) < p) / p
            out = a
            return out, mask
    """, {"out_is_a_times_mask", "hidden_forward"}),
    "dropout_out_divided_by_p": ("""
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng or np.random.default_rng()
            mask = (rng.random(a.shape) < p) / p
            return a / p, mask
    """, {"out_is_a_times_mask", "hidden_forward"}),
    "dropout_mask_gt_p": ("""
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng or np.random.default_rng()
            mask = (rng.random(a.shape) > p) / p
            return a * mask, mask
    """, {"keep_rate", "hidden_forward", "hidden_default_rng"}),
    "dropout_one_draw": ("""
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng or np.random.default_rng()
            mask = rng.binomial(1, p) / p
            return a * mask, mask
    """, {"shapes", "out_is_a_times_mask", "mask_values", "keep_rate", "independent", "seeded", "hidden_forward",
          "hidden_default_rng"}),
    "dropout_ignores_train": ("""
        def dropout_forward(a, p, train=True, rng=None):
            rng = rng or np.random.default_rng()
            mask = (rng.random(a.shape) < p) / p
            return a * mask, mask
    """, {"test_mode"}),
    "dropout_test_zeros": ("""
        def dropout_forward(a, p, train=True, rng=None):
            out = np.zeros_like(a)
            mask = None
            if train:
                rng = rng or np.random.default_rng()
                mask = (rng.random(a.shape) < p) / p
                out = a * mask
            return out, mask
    """, {"test_mode"}),
    "dropout_fixed_seed": ("""
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = np.random.default_rng(0)
            mask = (rng.random(a.shape) < p) / p
            return a * mask, mask
    """, {"seeded", "hidden_default_rng"}),
    "dropout_default_rng_fixed_seed": ("""
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            if rng is None:
                rng = np.random.default_rng(42)
            mask = (rng.random(a.shape) < p) / p
            return a * mask, mask
    """, {"hidden_default_rng"}),
    "dropout_returns_swapped": ("""
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng or np.random.default_rng()
            mask = (rng.random(a.shape) < p) / p
            return mask, a * mask
    """, {"out_is_a_times_mask", "mask_values", "hidden_forward"}),
}


@pytest.mark.parametrize("mistake", list(WRONG_FORWARD))
def test_a_forward_mistake_loses_exactly_its_checks_and_each_names_it(tmp_path, mistake):
    source, lost = WRONG_FORWARD[mistake]
    result = _grade(tmp_path, source)
    assert _failed_ids(result) == lost
    for check_id in lost:
        check = result.check(check_id)
        assert check.mistakes == (mistake,), (check_id, check.message)
        assert MISTAKES[mistake].en in check.message
    assert set(MISTAKES[mistake].targets) <= lost
    assert result.score == 10 - sum(result.check(c).max_points for c in lost)


def test_an_unscaled_mask_is_scored_once_in_spanish(tmp_path):
    """out = a * keep / p is right: out_is_a_times_mask keeps its points and says why; the mask is wrong."""
    result = _grade(tmp_path, WRONG_FORWARD["dropout_mask_unscaled"][0], lang="es")
    kept = result.check("out_is_a_times_mask")
    assert kept.passed and kept.mistakes == ()
    assert "se puntúa una vez" in kept.message and "conserva sus puntos" in kept.message
    assert "scored once, by the mask-values check" in kept.text("en")
    assert MISTAKES["dropout_mask_unscaled"].es in result.check("mask_values").message


def test_the_classic_no_scale_is_still_named_as_such(tmp_path):
    """mask = U < p with out = a * mask (no 1/p anywhere) is no_scale, not an unscaled mask."""
    result = _grade(tmp_path, """
        def dropout_forward(a, p, train=True, rng=None):
            if not train:
                return a, None
            rng = rng or np.random.default_rng()
            mask = (rng.random(a.shape) < p).astype(float)
            return a * mask, mask
    """)
    assert _failed_ids(result) == {"mask_values", "hidden_forward"}
    assert result.check("mask_values").mistakes == ("dropout_no_scale",)
    assert result.check("out_is_a_times_mask").passed


@pytest.mark.parametrize("lang", ["en", "es"])
def test_backward_that_fails_on_mask_none_is_named(tmp_path, lang):
    result = _grade(tmp_path, CORRECT["binomial"], """
        def dropout_backward(dout, mask):
            return dout * mask
    """, lang=lang)
    assert _failed_ids(result) == {"backward"}
    check = result.check("backward")
    assert check.mistakes == ("dropout_backward_none_fails",)
    assert getattr(MISTAKES["dropout_backward_none_fails"], lang) in check.message
    assert "TypeError" in check.message
