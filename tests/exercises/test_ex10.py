"""ex10 noise-norm: differently written correct solutions keep full marks; student-written mistakes lose
exactly the checks that target them, with the mistake named (by id, and in the student's language)."""
import textwrap

import pytest

from autograder.exercises.ex10 import MISTAKES
from autograder.grading import grade_file

NOISE = """
def gaussian_noise_forward(a, stddev, train=True, rng=None):
    if not train:
        return a, None
    rng = np.random.default_rng() if rng is None else rng
    noise = rng.normal(0.0, stddev, size=a.shape)
    return a + noise, noise

def gaussian_noise_backward(dout, noise):
    return dout
"""

GDROPOUT = """
def gaussian_dropout_forward(a, rate, train=True, rng=None):
    if not train:
        return a, None
    rng = rng or np.random.default_rng()
    mask = rng.normal(1.0, np.sqrt(rate / (1.0 - rate)), size=a.shape)
    return a * mask, mask

def gaussian_dropout_backward(dout, mask):
    return dout if mask is None else dout * mask
"""

LAYERNORM = """
def layernorm_forward(x, gamma, beta, eps=1e-3):
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    return gamma * xhat + beta, {"xhat": xhat, "gamma": gamma, "std": std}

def layernorm_backward(dout, cache):
    xhat, gamma, std = cache["xhat"], cache["gamma"], cache["std"]
    n = dout.shape[0]
    dxhat = dout * gamma
    dx = (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (n * std)
    return dx, (dout * xhat).sum(axis=1, keepdims=True), dout.sum(axis=1, keepdims=True)
"""


def _grade(tmp_path, *, noise=NOISE, gdropout=GDROPOUT, layernorm=LAYERNORM, lang="en"):
    path = tmp_path / "ex10_noise_norm.py"
    path.write_text("import numpy as np\n" + "".join(textwrap.dedent(s) for s in (noise, gdropout, layernorm)))
    return grade_file("ex10", path, hidden=True, lang=lang)


def _lost(result):
    return {c.id.split(".", 1)[1] for c in result.checks if not c.passed}


def test_a_differently_written_solution_gets_full_marks(tmp_path):
    """rng.normal instead of standard_normal, a dict cache, broadcasting without keepdims."""
    result = _grade(tmp_path)
    assert result.score == result.max_score == 10, [(c.id, c.message) for c in result.checks if not c.passed]


MISTAKEN = {
    # mistake id: (which part is replaced, the replacement, the checks it loses)
    "noise_stddev_as_variance": ("noise", NOISE.replace("rng.normal(0.0, stddev,", "rng.normal(0.0, stddev ** 2,"),
                                 {"noise_distribution", "noise_hidden"}),
    "noise_at_test": ("noise", NOISE.replace("    if not train:\n        return a, None\n", ""),
                      {"noise_test_mode"}),
    "noise_ignores_rng": ("noise", NOISE.replace("noise = rng.normal(", "noise = np.random.normal("),
                          {"noise_seeded"}),
    "gdropout_std_rate": ("gdropout", GDROPOUT.replace("np.sqrt(rate / (1.0 - rate))", "rate"),
                          {"gdropout_distribution", "gdropout_hidden"}),
    "gdropout_mean_zero": ("gdropout", GDROPOUT.replace("rng.normal(1.0,", "rng.normal(0.0,"),
                           {"gdropout_distribution", "gdropout_hidden"}),
    "gdropout_backward_no_mask": ("gdropout", GDROPOUT.replace("dout if mask is None else dout * mask", "dout"),
                                  {"gdropout_backward"}),
    "layernorm_unbiased_var": ("layernorm", LAYERNORM.replace("var = ((x - mu) ** 2).mean(axis=0)",
                                                              "var = x.var(axis=0, ddof=1)"),
                               {"layernorm_forward", "layernorm_forward_hidden", "layernorm_backward",
                                "layernorm_backward_hidden"}),
    "layernorm_dgamma_no_xhat": ("layernorm", LAYERNORM.replace("(dout * xhat).sum(axis=1, keepdims=True)",
                                                                "dout.sum(axis=1, keepdims=True)"),
                                 {"layernorm_backward", "layernorm_backward_hidden"}),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKEN))
def test_a_student_written_mistake_loses_its_checks_and_is_named(tmp_path, mistake):
    part, source, lost = MISTAKEN[mistake]
    result = _grade(tmp_path, **{part: source})
    assert _lost(result) == lost
    for check_id in MISTAKES[mistake].targets:
        check = result.check(check_id)
        assert mistake in check.mistakes
        assert MISTAKES[mistake].en in check.message


def test_feedback_in_spanish_is_spanish_throughout(tmp_path):
    part, source, _ = MISTAKEN["gdropout_std_rate"]
    result = _grade(tmp_path, lang="es", **{part: source})
    check = result.check("gdropout_distribution")
    assert check.title("es") == "gaussian_dropout_forward: mask generado según N(1, rate/(1 − rate))"
    assert "la std muestral" in check.message and MISTAKES["gdropout_std_rate"].es in check.message
    # the same result renders in English when asked: the language is chosen when shown, not when graded
    assert "the sample std" in check.text("en") and MISTAKES["gdropout_std_rate"].en in check.text("en")


def test_uniform_noise_of_the_right_std_fails_the_normal_tails(tmp_path):
    uniform = NOISE.replace("rng.normal(0.0, stddev, size=a.shape)",
                            "rng.uniform(-np.sqrt(3) * stddev, np.sqrt(3) * stddev, size=a.shape)")
    result = _grade(tmp_path, noise=uniform)
    assert _lost(result) == {"noise_distribution", "noise_hidden"}
    assert "standard deviations of their mean" in result.check("noise_distribution").message


def test_a_batch_of_one_example_is_normalised_over_its_features(tmp_path):
    """Layer normalisation computed over the batch (batch norm) loses the forward check, and is named."""
    over_batch = LAYERNORM.replace("x.mean(axis=0)", "x.mean(axis=1, keepdims=True)").replace(
        "((x - mu) ** 2).mean(axis=0)", "((x - mu) ** 2).mean(axis=1, keepdims=True)")
    result = _grade(tmp_path, layernorm=over_batch)
    check = result.check("layernorm_forward")
    assert not check.passed and "layernorm_over_batch" in check.mistakes
