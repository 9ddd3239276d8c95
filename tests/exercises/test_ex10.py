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


LN_FORWARD = {"layernorm_forward", "layernorm_forward_hidden"}
LN_BACKWARD = {"layernorm_backward", "layernorm_backward_hidden"}


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
    # the forward's mistakes lose the forward's checks only: the backward is right on the cache it is given
    "layernorm_unbiased_var": ("layernorm", LAYERNORM.replace("var = ((x - mu) ** 2).mean(axis=0)",
                                                              "var = x.var(axis=0, ddof=1)"), LN_FORWARD),
    "layernorm_dgamma_no_xhat": ("layernorm", LAYERNORM.replace("(dout * xhat).sum(axis=1, keepdims=True)",
                                                                "dout.sum(axis=1, keepdims=True)"), LN_BACKWARD),
    # Gaussian noise
    "noise_sqrt_stddev": ("noise", NOISE.replace("rng.normal(0.0, stddev,", "rng.normal(0.0, np.sqrt(stddev),"),
                          {"noise_distribution", "noise_hidden"}),
    "noise_uniform": ("noise", NOISE.replace("rng.normal(0.0, stddev, size=a.shape)", "rng.random(a.shape) * stddev"),
                      {"noise_distribution", "noise_hidden"}),
    "noise_multiplied": ("noise", NOISE.replace("return a + noise, noise", "return a * noise, noise"),
                         {"noise_contract", "noise_hidden"}),
    "noise_one_draw": ("noise", NOISE.replace("rng.normal(0.0, stddev, size=a.shape)", "rng.normal(0.0, stddev)"),
                       {"noise_contract", "noise_distribution", "noise_hidden"}),
    "noise_per_example": ("noise", NOISE.replace("size=a.shape", "size=(1, a.shape[1])"),
                          {"noise_contract", "noise_distribution", "noise_hidden"}),
    "noise_train_inverted": ("noise", NOISE.replace("if not train:", "if train:"),
                             {"noise_contract", "noise_distribution", "noise_test_mode", "noise_seeded",
                              "noise_hidden"}),
    "noise_backward_adds_noise": ("noise", NOISE.replace("    return dout\n",
                                                         "    return dout if noise is None else dout + noise\n"),
                                  {"noise_backward"}),
    # Gaussian dropout
    "gdropout_std_sqrt_rate": ("gdropout", GDROPOUT.replace("np.sqrt(rate / (1.0 - rate))", "np.sqrt(rate)"),
                               {"gdropout_distribution", "gdropout_hidden"}),
    "gdropout_std_bernoulli": ("gdropout", GDROPOUT.replace("np.sqrt(rate / (1.0 - rate))",
                                                            "np.sqrt(rate * (1.0 - rate))"),
                               {"gdropout_distribution", "gdropout_hidden"}),
    "gdropout_mask_added": ("gdropout", GDROPOUT.replace("return a * mask, mask", "return a + mask, mask"),
                            {"gdropout_contract", "gdropout_hidden"}),
    "gdropout_per_example": ("gdropout", GDROPOUT.replace("size=a.shape", "size=(1, a.shape[1])"),
                             {"gdropout_contract", "gdropout_distribution", "gdropout_hidden"}),
    "gdropout_train_inverted": ("gdropout", GDROPOUT.replace("if not train:", "if train:"),
                                {"gdropout_contract", "gdropout_distribution", "gdropout_test_mode",
                                 "gdropout_seeded", "gdropout_hidden"}),
    "gdropout_test_ones": ("gdropout", GDROPOUT.replace("return a, None", "return a, np.ones_like(a)"),
                           {"gdropout_test_mode"}),
    "gdropout_backward_mask_squared": ("gdropout", GDROPOUT.replace("dout * mask\n", "dout * mask ** 2\n"),
                                       {"gdropout_backward"}),
    "gdropout_backward_divides": ("gdropout", GDROPOUT.replace("dout * mask\n", "dout / mask\n"),
                                  {"gdropout_backward"}),
    # layer normalisation forward
    "layernorm_no_eps": ("layernorm", LAYERNORM.replace("np.sqrt(var + eps)", "np.sqrt(var)"), LN_FORWARD),
    "layernorm_no_sqrt": ("layernorm", LAYERNORM.replace("np.sqrt(var + eps)", "var + eps"), LN_FORWARD),
    "layernorm_no_centering": ("layernorm", LAYERNORM.replace("xhat = (x - mu) / std", "xhat = x / std"),
                               LN_FORWARD),
    "layernorm_var_uncentered": ("layernorm", LAYERNORM.replace("((x - mu) ** 2).mean(axis=0)",
                                                                "(x ** 2).mean(axis=0)"), LN_FORWARD),
    "layernorm_gamma_beta_swapped": ("layernorm", LAYERNORM.replace("gamma * xhat + beta", "beta * xhat + gamma"),
                                     LN_FORWARD),
    "layernorm_minus_beta": ("layernorm", LAYERNORM.replace("gamma * xhat + beta", "gamma * xhat - beta"),
                             LN_FORWARD),
    "layernorm_returns_xhat": ("layernorm", LAYERNORM.replace("return gamma * xhat + beta,", "return xhat,"),
                               LN_FORWARD),
    # layer normalisation backward
    "layernorm_backward_no_1_over_n": ("layernorm", LAYERNORM.replace("/ (n * std)", "/ std"), LN_BACKWARD),
    "layernorm_backward_no_gamma": ("layernorm", LAYERNORM.replace("dxhat = dout * gamma", "dxhat = dout"),
                                    LN_BACKWARD),
    "layernorm_dbeta_wrong_axis": ("layernorm", LAYERNORM.replace("dout.sum(axis=1, keepdims=True)",
                                                                  "dout.sum(axis=0, keepdims=True)"), LN_BACKWARD),
    "layernorm_param_grads_mean": ("layernorm", LAYERNORM.replace(
        "(dout * xhat).sum(axis=1, keepdims=True), dout.sum(axis=1, keepdims=True)",
        "(dout * xhat).mean(axis=1, keepdims=True), dout.mean(axis=1, keepdims=True)"), LN_BACKWARD),
    "layernorm_grads_swapped": ("layernorm", LAYERNORM.replace(
        "return dx, (dout * xhat).sum(axis=1, keepdims=True), dout.sum(axis=1, keepdims=True)",
        "return dx, dout.sum(axis=1, keepdims=True), (dout * xhat).sum(axis=1, keepdims=True)"), LN_BACKWARD),
    "layernorm_dgamma_with_x": ("layernorm", LAYERNORM.replace(
        '{"xhat": xhat, "gamma": gamma, "std": std}', '{"xhat": xhat, "gamma": gamma, "std": std, "x": x}').replace(
        "(dout * xhat).sum(axis=1, keepdims=True)", '(dout * cache["x"]).sum(axis=1, keepdims=True)'), LN_BACKWARD),
}


def test_the_mistaken_sources_are_edited():
    """Each replacement above really changed its part (a typo in a pattern would test the solution)."""
    parts = {"noise": NOISE, "gdropout": GDROPOUT, "layernorm": LAYERNORM}
    for mistake, (part, source, _) in MISTAKEN.items():
        assert source != parts[part], mistake


@pytest.mark.parametrize("mistake", sorted(MISTAKEN))
def test_a_student_written_mistake_loses_its_checks_and_is_named(tmp_path, mistake):
    part, source, lost = MISTAKEN[mistake]
    result = _grade(tmp_path, **{part: source})
    assert _lost(result) == lost
    for check_id in MISTAKES[mistake].targets:
        check = result.check(check_id)
        assert mistake in check.mistakes
        assert MISTAKES[mistake].en in check.message


def test_a_forward_mistake_keeps_the_backward_points_with_a_note_naming_it(tmp_path):
    """One error scored once: a backward right on the cache of a wrong forward keeps its points, and says so."""
    part, source, _ = MISTAKEN["layernorm_no_centering"]
    result = _grade(tmp_path, **{part: source})
    check = result.check("layernorm_backward")
    assert check.passed and MISTAKES["layernorm_no_centering"].en in check.message


ALTERNATIVE = """
def gaussian_noise_forward(a, stddev, train=True, rng=None):
    a = np.asarray(a, dtype=float)
    if train is False:
        return a.copy(), None
    if rng is None:
        rng = np.random.default_rng()
    noise = (rng.standard_normal(a.shape, dtype=np.float32) * stddev).astype(np.float64)
    out = a.copy()
    out += noise
    return out, noise

def gaussian_noise_backward(dout, noise):
    return np.array(dout, copy=True)

def gaussian_dropout_forward(a, rate, train=True, rng=None):
    a = np.asarray(a, dtype=float)
    if not train:
        return a, None
    rng = np.random.default_rng() if rng is None else rng
    mask = 1.0 + np.sqrt(rate / (1.0 - rate)) * rng.standard_normal(a.shape)
    return a * mask, mask

def gaussian_dropout_backward(dout, mask):
    if mask is None:
        return dout
    return np.multiply(dout, mask)

def layernorm_forward(x, gamma, beta, eps=1e-3):
    mu = np.mean(x, axis=0, keepdims=True)
    var = np.var(x, axis=0, keepdims=True)
    xmu = x - mu
    ivar = 1.0 / np.sqrt(var + eps)
    xhat = xmu * ivar
    return gamma * xhat + beta, (x, xmu, ivar, var, eps, gamma, xhat)

def layernorm_backward(dout, cache):
    # the staged chain rule through mu and var (per column, over the n features)
    x, xmu, ivar, var, eps, gamma, xhat = cache
    n = x.shape[0]
    dgamma = np.sum(dout * xhat, axis=1, keepdims=True)
    dbeta = np.sum(dout, axis=1, keepdims=True)
    dxhat = dout * gamma
    dvar = np.sum(dxhat * xmu, axis=0, keepdims=True) * -0.5 * (var + eps) ** -1.5
    dmu = np.sum(-dxhat * ivar, axis=0, keepdims=True) + dvar * np.mean(-2.0 * xmu, axis=0, keepdims=True)
    dx = dxhat * ivar + dvar * 2.0 * xmu / n + dmu / n
    return dx, dgamma, dbeta
"""


def test_another_correct_solution_gets_full_marks(tmp_path):
    """float32 draws, in-place addition, a tuple cache holding x and the staged chain rule through μ and σ²."""
    path = tmp_path / "ex10_noise_norm.py"
    path.write_text("import numpy as np\n" + textwrap.dedent(ALTERNATIVE))
    result = grade_file("ex10", path, hidden=True, lang="en")
    assert result.score == result.max_score == 10, [(c.id, c.message) for c in result.checks if not c.passed]


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
