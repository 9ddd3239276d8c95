"""ex8 (init-batchnorm) beyond the common tests: correct solutions written differently keep full marks,
realistic wrong submissions lose exactly the checks they should, with the mistake named; the statistical
bounds and the gradient check's tolerances hold with the margins the module docstring states.

Every submission here is written as a student would write it and graded in the sandbox with the
hidden checks (``grade_file(..., hidden=True)``).
"""
import math
import re
import textwrap

import numpy as np
import pytest

from autograder import registry
from autograder.checks import Fail
from autograder.exercises import ex8
from autograder.exercises.ex8 import MISTAKES
from autograder.grading import grade_file
from autograder.impl import LocalImpl
from autograder.sandbox import Rng

POINTS = registry.get("ex8").points

INIT_HIDDEN = "glorot_normal, he_normal (hidden): fresh sizes"
FORWARD_HIDDEN = "batchnorm_forward (hidden): fresh inputs, training then test mode"
BACKWARD_HIDDEN = "batchnorm_backward (hidden): fresh inputs"
BACKWARD_ALL = {ex8.CHECK_BACKWARD, ex8.CHECK_GRAD, BACKWARD_HIDDEN}

# A correct submission, written independently of the official solution; tests swap single pieces
# (a later ``def`` replaces the earlier one, as in a notebook run top to bottom).
BASE = '''
import numpy as np

def glorot_normal(n_in, n_out, rng):
    return rng.normal(0, np.sqrt(2 / (n_in + n_out)), (n_out, n_in))

def he_normal(n_in, n_out, rng):
    return rng.normal(0, np.sqrt(2 / n_in), (n_out, n_in))

def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-3)
    momentum = bn_param.get("momentum", 0.99)
    n = x.shape[0]
    if "running_mean" not in bn_param:
        bn_param["running_mean"] = np.zeros((n, 1))
    if "running_var" not in bn_param:
        bn_param["running_var"] = np.ones((n, 1))
    if mode == "train":
        mu = np.mean(x, axis=1, keepdims=True)
        xc = x - mu
        var = np.mean(xc ** 2, axis=1, keepdims=True)
        std = np.sqrt(var + eps)
        x_hat = xc / std
        bn_param["running_mean"] = momentum * bn_param["running_mean"] + (1 - momentum) * mu
        bn_param["running_var"] = momentum * bn_param["running_var"] + (1 - momentum) * var
        cache = {"x_hat": x_hat, "gamma": gamma, "std": std}
    else:
        x_hat = (x - bn_param["running_mean"]) / np.sqrt(bn_param["running_var"] + eps)
        cache = None
    return gamma * x_hat + beta, cache

def batchnorm_backward(dout, cache):
    x_hat, gamma, std = cache["x_hat"], cache["gamma"], cache["std"]
    dbeta = dout.sum(axis=1, keepdims=True)
    dgamma = (dout * x_hat).sum(axis=1, keepdims=True)
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(axis=1, keepdims=True)
          - x_hat * (dxhat * x_hat).mean(axis=1, keepdims=True)) / std
    return dx, dgamma, dbeta
'''


def grade(tmp_path, *overrides, lang="en"):
    path = tmp_path / "ex8_init_batchnorm.py"
    path.write_text(BASE + "".join("\n" + textwrap.dedent(o) for o in overrides), encoding="utf-8")
    result = grade_file("ex8", path, hidden=True, lang=lang)
    assert result.error is None, result.error
    return result


def failed(result):
    return {c.name: c.message for c in result.checks if not c.passed}


def notes(result):
    return {c.name: c.message for c in result.checks if c.passed}


def test_base_submission_gets_full_marks(tmp_path):
    result = grade(tmp_path)
    assert failed(result) == {}
    assert result.score == POINTS


# ------------------------------------------------------------------ correct but different
DIFFERENT = {
    "loops over rows, standard_normal times std": '''
        def glorot_normal(n_in, n_out, rng):
            std = (2.0 / (n_in + n_out)) ** 0.5
            return rng.standard_normal((n_out, n_in)) * std

        def he_normal(n_in, n_out, rng):
            return rng.standard_normal(size=(n_in, n_out)).T * np.sqrt(2.0 / n_in)

        def batchnorm_forward(x, gamma, beta, bn_param):
            n, m = x.shape
            eps, mom = bn_param["eps"], bn_param["momentum"]
            rm = bn_param.get("running_mean", np.zeros((n, 1))).copy()
            rv = bn_param.get("running_var", np.ones((n, 1))).copy()
            out = np.zeros((n, m))
            x_hat = np.zeros((n, m))
            inv = np.zeros((n, 1))
            for i in range(n):
                if bn_param["mode"] == "train":
                    mean = sum(x[i]) / m
                    var = sum((v - mean) ** 2 for v in x[i]) / m
                    rm[i, 0] = mom * rm[i, 0] + (1 - mom) * mean
                    rv[i, 0] = mom * rv[i, 0] + (1 - mom) * var
                else:
                    mean, var = rm[i, 0], rv[i, 0]
                inv[i, 0] = 1 / np.sqrt(var + eps)
                for j in range(m):
                    x_hat[i, j] = (x[i, j] - mean) * inv[i, 0]
                    out[i, j] = gamma[i, 0] * x_hat[i, j] + beta[i, 0]
            bn_param["running_mean"], bn_param["running_var"] = rm, rv
            return out, (x_hat, gamma, inv)

        def batchnorm_backward(dout, cache):
            x_hat, gamma, inv = cache
            n, m = dout.shape
            dx, dgamma, dbeta = np.zeros((n, m)), np.zeros((n, 1)), np.zeros((n, 1))
            for i in range(n):
                g = dout[i] * gamma[i, 0]
                s1, s2 = g.sum(), (g * x_hat[i]).sum()
                dgamma[i, 0] = (dout[i] * x_hat[i]).sum()
                dbeta[i, 0] = dout[i].sum()
                for j in range(m):
                    dx[i, j] = inv[i, 0] / m * (m * g[j] - s1 - x_hat[i, j] * s2)
            return dx, dgamma, dbeta
    ''',
    "float32 results everywhere": '''
        def glorot_normal(n_in, n_out, rng):
            return rng.normal(0.0, np.sqrt(2 / (n_in + n_out)), (n_out, n_in)).astype(np.float32)

        def he_normal(n_in, n_out, rng):
            return rng.normal(0.0, np.sqrt(2 / n_in), (n_out, n_in)).astype(np.float32)

        _forward64 = batchnorm_forward
        _backward64 = batchnorm_backward

        def batchnorm_forward(x, gamma, beta, bn_param):
            out, cache = _forward64(x, gamma, beta, bn_param)
            for key in ("running_mean", "running_var"):
                bn_param[key] = np.asarray(bn_param[key], dtype=np.float32)
            return out.astype(np.float32), cache

        def batchnorm_backward(dout, cache):
            return tuple(g.astype(np.float32) for g in _backward64(dout, cache))
    ''',
    "staged backward through the graph, object cache, setdefault": '''
        class Saved:
            pass

        def batchnorm_forward(x, gamma, beta, bn_param):
            n, m = x.shape
            rm = bn_param.setdefault("running_mean", np.zeros((n, 1)))
            rv = bn_param.setdefault("running_var", np.ones((n, 1)))
            mom, eps = bn_param["momentum"], bn_param["eps"]
            if bn_param["mode"] == "test":
                return gamma * (x - rm) / np.sqrt(rv + eps) + beta, None
            c = Saved()
            c.mu = x.sum(axis=1, keepdims=True) / m
            c.xmu = x - c.mu
            c.sq = c.xmu ** 2
            c.var = c.sq.sum(axis=1, keepdims=True) / m
            c.sqrtvar = np.sqrt(c.var + eps)
            c.ivar = 1.0 / c.sqrtvar
            c.xhat = c.xmu * c.ivar
            c.gamma = gamma
            bn_param["running_mean"] = mom * rm + (1 - mom) * c.mu
            bn_param["running_var"] = mom * rv + (1 - mom) * c.var
            return gamma * c.xhat + beta, c

        def batchnorm_backward(dout, c):
            m = dout.shape[1]
            dbeta = np.sum(dout, axis=1, keepdims=True)
            dgamma = np.sum(dout * c.xhat, axis=1, keepdims=True)
            dxhat = dout * c.gamma
            divar = np.sum(dxhat * c.xmu, axis=1, keepdims=True)
            dxmu1 = dxhat * c.ivar
            dsqrtvar = -divar / c.sqrtvar ** 2
            dvar = 0.5 * dsqrtvar / c.sqrtvar
            dsq = np.ones_like(c.sq) * dvar / m
            dxmu2 = 2 * c.xmu * dsq
            dx1 = dxmu1 + dxmu2
            dmu = -np.sum(dx1, axis=1, keepdims=True)
            dx2 = np.ones_like(dout) * dmu / m
            return dx1 + dx2, dgamma, dbeta
    ''',
}


@pytest.mark.parametrize("name", list(DIFFERENT))
def test_correct_solutions_written_differently_keep_full_marks(tmp_path, name):
    result = grade(tmp_path, DIFFERENT[name])
    assert failed(result) == {}
    assert result.score == POINTS


def test_float32_results_need_the_float32_gradient_check(monkeypatch):
    """Centered differences with float64's h and tolerance cannot check a float32 forward: the check switches."""
    from autograder.grading import grade_impl

    def grad_check(ns):
        result = grade_impl("ex8", LocalImpl(ns), hidden=False, lang="en")
        return next(c for c in result.checks if c.name == ex8.CHECK_GRAD)

    assert grad_check(_namespace(float32=True)).passed
    monkeypatch.setitem(ex8.PRECISION, "float32", ex8.PRECISION["float64"])
    check = grad_check(_namespace(float32=True))
    assert not check.passed and "float32" in check.message
    assert grad_check(_namespace()).passed


# ------------------------------------------------------------------ realistic mistakes
def assert_fails_exactly(result, expected, named_in, mistake, lang="en"):
    got = failed(result)
    assert set(got) == set(expected)
    text = getattr(MISTAKES[mistake], lang)
    assert text in got[named_in]
    assert mistake in next(c for c in result.checks if c.name == named_in).mistakes  # named by id too
    assert result.score == POINTS - sum(c.max_points for c in result.checks if c.name in expected)


def test_uniform_initialisation_loses_the_normality_checks(tmp_path):
    result = grade(tmp_path, '''
        def glorot_normal(n_in, n_out, rng):
            limit = np.sqrt(6 / (n_in + n_out))
            return rng.uniform(-limit, limit, size=(n_out, n_in))

        def he_normal(n_in, n_out, rng):
            limit = np.sqrt(6 / n_in)
            return rng.uniform(-limit, limit, size=(n_out, n_in))
    ''')
    assert_fails_exactly(result, {ex8.CHECK_NORMAL, INIT_HIDDEN}, ex8.CHECK_NORMAL, "init_uniform")


def test_he_with_the_fan_out_loses_the_he_checks(tmp_path):
    result = grade(tmp_path, '''
        def he_normal(n_in, n_out, rng):
            return rng.normal(0, np.sqrt(2 / n_out), (n_out, n_in))
    ''')
    assert_fails_exactly(result, {ex8.CHECK_HE, INIT_HIDDEN}, ex8.CHECK_HE, "init_he_fan_out")


def test_glorot_with_only_the_fan_in_in_spanish(tmp_path):
    result = grade(tmp_path, '''
        def glorot_normal(n_in, n_out, rng):
            return rng.normal(0, np.sqrt(1 / n_in), (n_out, n_in))
    ''', lang="es")
    assert_fails_exactly(result, {ex8.CHECK_GLOROT, INIT_HIDDEN}, ex8.CHECK_GLOROT, "init_glorot_fan_in", lang="es")
    assert "la std muestral" in failed(result)[ex8.CHECK_GLOROT]


def test_truncated_normal_like_keras_is_named(tmp_path):
    result = grade(tmp_path, '''
        def _truncated(rng, std, shape):
            w = rng.normal(0, std / 0.87962566103423978, shape)
            bad = np.abs(w) > 2 * std / 0.87962566103423978
            while bad.any():
                w[bad] = rng.normal(0, std / 0.87962566103423978, bad.sum())
                bad = np.abs(w) > 2 * std / 0.87962566103423978
            return w

        def glorot_normal(n_in, n_out, rng):
            return _truncated(rng, np.sqrt(2 / (n_in + n_out)), (n_out, n_in))
    ''')
    assert_fails_exactly(result, {ex8.CHECK_NORMAL, INIT_HIDDEN}, ex8.CHECK_NORMAL, "init_truncated")


GLOBAL_GENERATOR = '''
    def he_normal(n_in, n_out, rng):
        return np.random.randn(n_out, n_in) * np.sqrt(2 / n_in)
'''


def test_global_generator_loses_only_the_seed_check(tmp_path):
    result = grade(tmp_path, GLOBAL_GENERATOR)
    assert_fails_exactly(result, {ex8.CHECK_SEEDED}, ex8.CHECK_SEEDED, "init_ignores_rng")


def test_a_known_mistake_graded_in_spanish_has_a_spanish_title_and_message_and_its_id(tmp_path):
    result = grade(tmp_path, GLOBAL_GENERATOR, lang="es")
    (check_id,) = MISTAKES["init_ignores_rng"].targets
    c = result.check(check_id)
    assert c.id == f"ex8.{check_id}" and not c.passed and c.points == 0
    assert c.title("es") == "glorot_normal, he_normal: misma semilla, mismos valores; otra semilla, otros valores"
    assert c.title("en") == ex8.CHECK_SEEDED
    assert "he_normal: dos llamadas con generadores de la misma semilla dieron pesos distintos." in c.message
    assert MISTAKES["init_ignores_rng"].es in c.message and MISTAKES["init_ignores_rng"].en not in c.message
    assert MISTAKES["init_ignores_rng"].en in c.text("en")
    assert c.mistakes == ("init_ignores_rng",)
    assert [x.id for x in result.checks if not x.passed] == [c.id]


def test_batchnorm_over_axis_0_is_named_and_blamed_in_the_backward_checks(tmp_path):
    result = grade(tmp_path, '''
        def batchnorm_forward(x, gamma, beta, bn_param):
            eps, momentum = bn_param["eps"], bn_param["momentum"]
            rm = bn_param.get("running_mean", np.zeros((x.shape[0], 1)))
            rv = bn_param.get("running_var", np.ones((x.shape[0], 1)))
            if bn_param["mode"] == "train":
                mu = x.mean(axis=0, keepdims=True)
                var = x.var(axis=0, keepdims=True)
                bn_param["running_mean"] = momentum * rm + (1 - momentum) * mu
                bn_param["running_var"] = momentum * rv + (1 - momentum) * var
            else:
                mu, var = rm, rv
            x_hat = (x - mu) / np.sqrt(var + eps)
            return gamma * x_hat + beta, {"x_hat": x_hat, "gamma": gamma, "std": np.sqrt(var + eps)}
    ''')
    expected = {ex8.CHECK_TRAIN, ex8.CHECK_RUNNING, FORWARD_HIDDEN}
    assert_fails_exactly(result, expected, ex8.CHECK_TRAIN, "bn_wrong_axis")
    # the (correct) backward is right on the forward's cache: blamed on the forward, scored once, named
    for name in BACKWARD_ALL:
        assert "Correct given your `batchnorm_forward`, which is wrong here" in notes(result)[name], name
        assert MISTAKES["bn_wrong_axis"].en in notes(result)[name], name
    # the hidden check's test-mode call cannot run with (n, m) running statistics: not a crash, the mistake named
    assert "raised" not in failed(result)[FORWARD_HIDDEN]


def test_unbiased_variance_is_named(tmp_path):
    result = grade(tmp_path, '''
        def batchnorm_forward(x, gamma, beta, bn_param):
            n = x.shape[0]
            bn_param.setdefault("running_mean", np.zeros((n, 1)))
            bn_param.setdefault("running_var", np.ones((n, 1)))
            eps, momentum = bn_param["eps"], bn_param["momentum"]
            if bn_param["mode"] == "train":
                mu = np.mean(x, axis=1, keepdims=True)
                var = np.var(x, axis=1, ddof=1, keepdims=True)
                bn_param["running_mean"] = momentum * bn_param["running_mean"] + (1 - momentum) * mu
                bn_param["running_var"] = momentum * bn_param["running_var"] + (1 - momentum) * var
            else:
                mu, var = bn_param["running_mean"], bn_param["running_var"]
            std = np.sqrt(var + eps)
            x_hat = (x - mu) / std
            return gamma * x_hat + beta, {"x_hat": x_hat, "gamma": gamma, "std": std}
    ''')
    expected = {ex8.CHECK_TRAIN, ex8.CHECK_RUNNING, FORWARD_HIDDEN}
    assert_fails_exactly(result, expected, ex8.CHECK_TRAIN, "bn_unbiased_var")
    for name in BACKWARD_ALL:  # right on its own forward's cache: keeps its points, the forward's mistake named
        assert MISTAKES["bn_unbiased_var"].en in notes(result)[name], name


def test_test_mode_with_batch_statistics_loses_the_test_mode_checks(tmp_path):
    result = grade(tmp_path, '''
        _forward_ok = batchnorm_forward

        def batchnorm_forward(x, gamma, beta, bn_param):
            if bn_param["mode"] == "test":
                mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
                return gamma * (x - mu) / np.sqrt(var + bn_param["eps"]) + beta, None
            return _forward_ok(x, gamma, beta, bn_param)
    ''')
    assert_fails_exactly(result, {ex8.CHECK_TEST, FORWARD_HIDDEN}, ex8.CHECK_TEST, "bn_test_batch_stats")


def test_swapped_momentum_loses_the_running_statistics_checks(tmp_path):
    result = grade(tmp_path, '''
        def batchnorm_forward(x, gamma, beta, bn_param):
            n = x.shape[0]
            rm = bn_param.get("running_mean", np.zeros((n, 1)))
            rv = bn_param.get("running_var", np.ones((n, 1)))
            eps, mom = bn_param["eps"], bn_param["momentum"]
            if bn_param["mode"] == "train":
                mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
                rm = mom * mu + (1 - mom) * rm
                rv = mom * var + (1 - mom) * rv
            else:
                mu, var = rm, rv
            bn_param["running_mean"], bn_param["running_var"] = rm, rv
            std = np.sqrt(var + eps)
            return gamma * (x - mu) / std + beta, {"x_hat": (x - mu) / std, "gamma": gamma, "std": std}
    ''')
    assert_fails_exactly(result, {ex8.CHECK_RUNNING, FORWARD_HIDDEN}, ex8.CHECK_RUNNING, "bn_momentum_swapped")


def test_running_statistics_in_local_variables_are_named(tmp_path):
    result = grade(tmp_path, '''
        def batchnorm_forward(x, gamma, beta, bn_param):
            n = x.shape[0]
            running_mean = bn_param.get("running_mean", np.zeros((n, 1)))
            running_var = bn_param.get("running_var", np.ones((n, 1)))
            eps, momentum = bn_param["eps"], bn_param["momentum"]
            if bn_param["mode"] == "train":
                mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
                running_mean = momentum * running_mean + (1 - momentum) * mu
                running_var = momentum * running_var + (1 - momentum) * var
            else:
                mu, var = running_mean, running_var
            std = np.sqrt(var + eps)
            return gamma * (x - mu) / std + beta, {"x_hat": (x - mu) / std, "gamma": gamma, "std": std}
    ''')
    expected = {ex8.CHECK_RUNNING, ex8.CHECK_MISSING, FORWARD_HIDDEN}
    assert_fails_exactly(result, expected, ex8.CHECK_MISSING, "bn_running_not_stored")
    assert MISTAKES["bn_running_not_stored"].en in failed(result)[ex8.CHECK_RUNNING]


def test_backward_without_the_variance_term_is_named(tmp_path):
    result = grade(tmp_path, '''
        def batchnorm_backward(dout, cache):
            x_hat, gamma, std = cache["x_hat"], cache["gamma"], cache["std"]
            dxhat = dout * gamma
            dx = (dxhat - dxhat.mean(axis=1, keepdims=True)) / std
            return dx, np.sum(dout * x_hat, axis=1, keepdims=True), np.sum(dout, axis=1, keepdims=True)
    ''')
    assert_fails_exactly(result, BACKWARD_ALL, ex8.CHECK_BACKWARD, "bn_backward_no_xhat_term")


def test_dgamma_without_keepdims_is_named_in_the_gradient_check(tmp_path):
    result = grade(tmp_path, '''
        _backward_ok = batchnorm_backward

        def batchnorm_backward(dout, cache):
            dx, _, _ = _backward_ok(dout, cache)
            return dx, np.sum(dout * cache["x_hat"], axis=1), np.sum(dout, axis=1)
    ''')
    assert_fails_exactly(result, BACKWARD_ALL, ex8.CHECK_GRAD, "bn_dgamma_wrong_axis")
    assert "expected shape" in failed(result)[ex8.CHECK_BACKWARD]



# ------------------------------------------------------------------ more realistic mistakes (issue 13)
def _forward_with(out_line, *, test_out_line=None, inv=None, test_inv=None):
    """The base forward with its output line (and test-mode output or 1/std) rewritten as a student would."""
    test_out_line = test_out_line or out_line
    inv = inv or "1 / np.sqrt(var + eps)"
    test_inv = test_inv or inv
    return f'''
        def batchnorm_forward(x, gamma, beta, bn_param):
            n = x.shape[0]
            eps, momentum = bn_param["eps"], bn_param["momentum"]
            rm = bn_param.setdefault("running_mean", np.zeros((n, 1)))
            rv = bn_param.setdefault("running_var", np.ones((n, 1)))
            if bn_param["mode"] == "train":
                mu = np.mean(x, axis=1, keepdims=True)
                var = np.var(x, axis=1, keepdims=True)
                bn_param["running_mean"] = momentum * rm + (1 - momentum) * mu
                bn_param["running_var"] = momentum * rv + (1 - momentum) * var
                inv = {inv}
                x_hat = (x - mu) * inv
                out = {out_line}
            else:
                mu, var = rm, rv
                inv = {test_inv}
                x_hat = (x - mu) * inv
                out = {test_out_line}
            return out, {{"x_hat": x_hat, "gamma": gamma, "std": 1 / inv}}
    '''


TEST_MODE_MISTAKES = {
    "bn_test_no_gamma_beta": _forward_with("gamma * x_hat + beta", test_out_line="x_hat"),
    "bn_test_no_eps": _forward_with("gamma * x_hat + beta", test_inv="1 / np.sqrt(var)"),
    "bn_test_minus_beta": _forward_with("gamma * x_hat + beta", test_out_line="gamma * x_hat - beta"),
}


@pytest.mark.parametrize("mistake", list(TEST_MODE_MISTAKES))
def test_test_mode_mistakes_lose_only_the_test_mode_checks_and_are_named(tmp_path, mistake):
    result = grade(tmp_path, TEST_MODE_MISTAKES[mistake])
    assert_fails_exactly(result, {ex8.CHECK_TEST, FORWARD_HIDDEN}, ex8.CHECK_TEST, mistake)
    assert mistake in result.check("batchnorm_forward_hidden").mistakes


def test_test_mode_without_eps_is_named_in_spanish(tmp_path):
    result = grade(tmp_path, TEST_MODE_MISTAKES["bn_test_no_eps"], lang="es")
    assert_fails_exactly(result, {ex8.CHECK_TEST, FORWARD_HIDDEN}, ex8.CHECK_TEST, "bn_test_no_eps", lang="es")
    assert "el modo test divide por sqrt(running_var), sin ε" in failed(result)[ex8.CHECK_TEST]


TRAIN_MODE_MISTAKES = {
    "bn_no_beta": _forward_with("gamma * x_hat"),
    "bn_gamma_beta_swapped": _forward_with("beta * x_hat + gamma"),
    "bn_beta_before_gamma": _forward_with("gamma * (x_hat + beta)"),
    "bn_no_eps": _forward_with("gamma * x_hat + beta", inv="1 / np.sqrt(var)"),
    "bn_no_sqrt": _forward_with("gamma * x_hat + beta", inv="1 / (var + eps)"),
}


@pytest.mark.parametrize("mistake", list(TRAIN_MODE_MISTAKES))
def test_train_mode_output_mistakes_are_named_and_scored_once(tmp_path, mistake):
    """The forward's output mistakes lose the forward checks; the (correct) backward keeps its points, with a note
    naming the forward's mistake."""
    result = grade(tmp_path, TRAIN_MODE_MISTAKES[mistake])
    assert_fails_exactly(result, {ex8.CHECK_TRAIN, ex8.CHECK_TEST, FORWARD_HIDDEN}, ex8.CHECK_TRAIN, mistake)
    for name in BACKWARD_ALL:
        assert MISTAKES[mistake].en in notes(result)[name], name


def test_forward_mistake_with_a_backward_that_does_not_fit_its_cache_names_the_forward(tmp_path):
    """A forward without β whose backward reads a cache key it never wrote: the gradient check cannot judge the
    backward, says so and names the forward's mistake."""
    result = grade(tmp_path, TRAIN_MODE_MISTAKES["bn_no_beta"], '''
        _backward_ok = batchnorm_backward

        def batchnorm_backward(dout, cache):
            dx, dgamma, dbeta = _backward_ok(dout, cache)
            return dx, dgamma, dbeta * 2
    ''')
    message = failed(result)[ex8.CHECK_GRAD]
    assert "uses your `batchnorm_forward`" in message and MISTAKES["bn_no_beta"].en in message
    assert "bn_no_beta" in result.check("batchnorm_gradient_check").mistakes


def test_hard_coded_momentum_is_named(tmp_path):
    result = grade(tmp_path, _forward_with("gamma * x_hat + beta").replace('bn_param["momentum"]', "0.9"))
    assert_fails_exactly(result, {ex8.CHECK_RUNNING, FORWARD_HIDDEN}, ex8.CHECK_RUNNING, "bn_momentum_hardcoded")


def test_running_statistics_updated_in_test_mode_are_named(tmp_path):
    result = grade(tmp_path, '''
        def batchnorm_forward(x, gamma, beta, bn_param):
            n = x.shape[0]
            eps, momentum = bn_param["eps"], bn_param["momentum"]
            rm = bn_param.get("running_mean", np.zeros((n, 1)))
            rv = bn_param.get("running_var", np.ones((n, 1)))
            mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
            bn_param["running_mean"] = momentum * rm + (1 - momentum) * mu
            bn_param["running_var"] = momentum * rv + (1 - momentum) * var
            if bn_param["mode"] == "test":
                mu, var = rm, rv
            std = np.sqrt(var + eps)
            x_hat = (x - mu) / std
            return gamma * x_hat + beta, {"x_hat": x_hat, "gamma": gamma, "std": std}
    ''')
    assert_fails_exactly(result, {ex8.CHECK_TEST}, ex8.CHECK_TEST, "bn_test_updates_running")


STAGED = '''
    _forward_ok = batchnorm_forward

    def batchnorm_forward(x, gamma, beta, bn_param):
        out, cache = _forward_ok(x, gamma, beta, bn_param)
        if bn_param["mode"] == "train":
            cache.update(x=x, mu=x.mean(axis=1, keepdims=True), var=x.var(axis=1, keepdims=True),
                         eps=bn_param["eps"])
        return out, cache

    def batchnorm_backward(dout, cache):
        x, mu, var, eps, gamma = cache["x"], cache["mu"], cache["var"], cache["eps"], cache["gamma"]
        m = dout.shape[1]
        dxhat = dout * gamma
        dvar = np.sum(dxhat * (x - mu), axis=1, keepdims=True) * -0.5 * (VAR_TERM) ** -1.5
        dmu = (np.sum(-dxhat / np.sqrt(var + eps), axis=1, keepdims=True)
               + dvar * np.mean(-2 * (x - mu), axis=1, keepdims=True))
        dx = dxhat / np.sqrt(DIRECT_TERM) + dvar * 2 * (x - mu) / m + dmu / m
        dgamma = np.sum(dout * cache["x_hat"], axis=1, keepdims=True)
        return dx, dgamma, np.sum(dout, axis=1, keepdims=True)
'''


@pytest.mark.parametrize("direct,var_term,mistake", [
    ("var + eps", "var + eps", None),
    ("var", "var + eps", "bn_backward_eps_dropped"),
    ("var + eps", "var", "bn_backward_var_term_no_eps"),
])
def test_staged_backward_with_eps_dropped_in_one_term_is_named(tmp_path, direct, var_term, mistake):
    result = grade(tmp_path, STAGED.replace("DIRECT_TERM", direct).replace("VAR_TERM", var_term))
    if mistake is None:  # the staged backward itself is right
        assert failed(result) == {}
        return
    assert_fails_exactly(result, BACKWARD_ALL, ex8.CHECK_BACKWARD, mistake)
    for name in BACKWARD_ALL:  # the gradient check names it too (the student's dx is that mistake's)
        assert mistake in next(c for c in result.checks if c.name == name).mistakes, name


BACKWARD_MISTAKES = {
    "bn_backward_no_gamma": "dxhat = dout",
    "bn_backward_constant_stats": "dx = dxhat / std",
    "bn_backward_no_1_over_m": "dx = (m * dxhat - dxhat.sum(axis=1, keepdims=True) "
                               "- x_hat * (dxhat * x_hat).sum(axis=1, keepdims=True)) / std",
    "bn_backward_mean_term_sign": "dx = (dxhat + dxhat.mean(axis=1, keepdims=True) "
                                  "- x_hat * (dxhat * x_hat).mean(axis=1, keepdims=True)) / std",
    "bn_dgamma_dbeta_mean": "dgamma, dbeta = dgamma / m, dbeta / m",
    "bn_dgamma_no_xhat": "dgamma = dout.sum(axis=1, keepdims=True)",
}


@pytest.mark.parametrize("mistake", list(BACKWARD_MISTAKES))
def test_backward_mistakes_are_named_by_every_backward_check(tmp_path, mistake):
    line = BACKWARD_MISTAKES[mistake]
    before, after = ("", line) if not line.startswith("dxhat") else (line, "")
    result = grade(tmp_path, f'''
        def batchnorm_backward(dout, cache):
            x_hat, gamma, std = cache["x_hat"], cache["gamma"], cache["std"]
            m = dout.shape[1]
            dbeta = dout.sum(axis=1, keepdims=True)
            dgamma = (dout * x_hat).sum(axis=1, keepdims=True)
            dxhat = dout * gamma
            {before}
            dx = (dxhat - dxhat.mean(axis=1, keepdims=True)
                  - x_hat * (dxhat * x_hat).mean(axis=1, keepdims=True)) / std
            {after}
            return dx, dgamma, dbeta
    ''')
    assert_fails_exactly(result, BACKWARD_ALL, ex8.CHECK_BACKWARD, mistake)
    for name in BACKWARD_ALL:
        assert mistake in next(c for c in result.checks if c.name == name).mistakes, name


@pytest.mark.parametrize("mistake,code", [
    ("init_he_no_factor_2",
     "def he_normal(n_in, n_out, rng):\n    return rng.normal(0, np.sqrt(1 / n_in), (n_out, n_in))"),
    ("init_he_glorot_std",
     "def he_normal(n_in, n_out, rng):\n    return rng.normal(0, np.sqrt(2 / (n_in + n_out)), (n_out, n_in))"),
    ("init_glorot_no_factor_2",
     "def glorot_normal(n_in, n_out, rng):\n    return rng.normal(0, np.sqrt(1 / (n_in + n_out)), (n_out, n_in))"),
])
def test_wrong_initialiser_stds_are_named(tmp_path, mistake, code):
    check = ex8.CHECK_HE if code.startswith("def he") else ex8.CHECK_GLOROT
    result = grade(tmp_path, code)
    assert_fails_exactly(result, {check, INIT_HIDDEN}, check, mistake)


def test_rand_instead_of_randn_is_named(tmp_path):
    result = grade(tmp_path, '''
        def glorot_normal(n_in, n_out, rng):
            return rng.random((n_out, n_in)) * np.sqrt(2 / (n_in + n_out))

        def he_normal(n_in, n_out, rng):
            return rng.random((n_out, n_in)) * np.sqrt(2 / n_in)
    ''')
    expected = {ex8.CHECK_GLOROT, ex8.CHECK_HE, ex8.CHECK_NORMAL, INIT_HIDDEN}
    assert_fails_exactly(result, expected, ex8.CHECK_NORMAL, "init_rand")
    for name in expected:
        assert "init_rand" in next(c for c in result.checks if c.name == name).mistakes, name

# ------------------------------------------------------------------ the bounds themselves
def test_wilson_hilferty_bounds_match_the_chi_square_quantiles():
    """Exact χ²(119 999) quantiles at Φ(±5.3) (SciPy, computed once): 117420.5862 and 122613.5336."""
    lo, hi = ex8.std_ratio_bounds(120_000)
    k = 119_999
    assert lo ** 2 * k == pytest.approx(117420.5862345035, rel=1e-6)
    assert hi ** 2 * k == pytest.approx(122613.5335558184, rel=1e-6)
    expected, p, bound = ex8.tail_bounds(120_000, 2.0)
    assert p == pytest.approx(0.0455002638963584, rel=1e-12)
    assert bound == pytest.approx(5.3 * math.sqrt(120_000 * p * (1 - p)))


def test_known_wrong_stds_are_outside_the_bound_of_the_right_one():
    """Every named wrong std differs from the right one by more than two bounds, on the public and hidden sizes
    (even on one call's draws; the checks pool at least INIT_DRAWS)."""
    sizes = [ex8.INIT_SIZES] + [ex8.hidden_init_sizes(np.random.default_rng(seed)) for seed in range(200)]
    for n_in, n_out in sizes:
        lo, hi = ex8.std_ratio_bounds(n_in * n_out)
        for name in ex8.INIT:
            right = ex8._std_formula(name, n_in, n_out)
            for stds in ex8._wrong_stds(name, n_in, n_out).values():
                for wrong in stds:
                    assert wrong / right < lo / hi or wrong / right > hi / lo, (name, n_in, n_out)


# ------------------------------------------------------------------ the std bound resolves 0.5 %
def test_the_std_checks_pool_enough_draws_to_resolve_half_a_percent():
    """At N = INIT_DRAWS (public: 20 calls of 400 × 300; hidden: 20 to 40 calls of the fresh size) a std 0.5 %
    off has its own ±5.3 band outside the right one's: it fails with probability above 1 − 1.2e-7, while the
    exact formula fails with probability ≈ 1.2e-7 (the bound's Wilson–Hilferty quantiles match the exact
    ones); one call's 120 000 draws resolved only 2.2 %."""
    from autograder import stats

    n_in, n_out = ex8.INIT_SIZES
    assert ex8._calls_for(n_in, n_out) * n_in * n_out == ex8.INIT_DRAWS == 2_400_000
    for seed in range(500):
        n_in, n_out = ex8.hidden_init_sizes(np.random.default_rng(seed))
        assert ex8._calls_for(n_in, n_out) * n_in * n_out >= ex8.INIT_DRAWS
        assert ex8._calls_for(n_in, n_out) <= 40 and n_in * n_out * 8 <= 8 * 1024**2  # one reply each, under 1 MB
    assert stats.std_resolution(ex8.INIT_DRAWS) < 0.005 < stats.std_resolution(120_000)
    lo, hi = ex8.std_ratio_bounds(ex8.INIT_DRAWS)
    assert 1.005 * lo > hi and 0.995 * hi < lo
    k = ex8.INIT_DRAWS - 1  # exact χ²(k) quantiles at Φ(∓5.3) (SciPy, computed once)
    assert lo ** 2 * k == pytest.approx(2388405.3420419837, rel=1e-8)
    assert hi ** 2 * k == pytest.approx(2411628.781463539, rel=1e-8)


def test_the_pooled_bound_on_many_seeds():
    """Pooled normal draws: the exact std passes on every seed, 0.5 % more or less fails on every seed."""
    lo, hi = ex8.std_ratio_bounds(ex8.INIT_DRAWS)
    for seed in range(20):
        s = float(np.std(np.random.default_rng(seed).standard_normal(ex8.INIT_DRAWS), ddof=1))
        assert lo <= s <= hi
        assert 1.005 * s > hi and 0.995 * s < lo


@pytest.mark.parametrize("factor", [1.005, 0.995, 1.0])
def test_a_std_half_a_percent_off_fails_and_the_exact_formula_passes(tmp_path, factor):
    result = grade(tmp_path, f'''
        def glorot_normal(n_in, n_out, rng):
            return rng.normal(0.0, np.sqrt(2 / (n_in + n_out)) * {factor!r}, size=(n_out, n_in))

        def he_normal(n_in, n_out, rng):
            return rng.normal(0.0, np.sqrt(2 / n_in) * {factor!r}, size=(n_out, n_in))
    ''')
    if factor == 1.0:
        assert failed(result) == {}
        assert result.score == POINTS
        return
    got = failed(result)
    assert set(got) == {ex8.CHECK_GLOROT, ex8.CHECK_HE, INIT_HIDDEN}
    message = got[ex8.CHECK_GLOROT]
    assert "glorot_normal(400, 300, rng), 20 call(s) with different seeds: the sample std of the 2400000 draws" in message
    deviation = float(re.search(r"\(([+-]\d\.\d\d)% off\)", message).group(1))  # e.g. "(-0.49% off)"
    assert abs(deviation - 100 * (factor - 1)) < 0.25
    assert all(not c.mistakes for c in result.checks)  # no known mistake is that close
    assert result.score == POINTS - 2


class _Ctx:
    """A context for calling a property check directly, with a chosen seed."""

    def __init__(self, impl, seed):
        self.impl, self.lang, self.mistakes = impl, "en", MISTAKES
        self.rng = np.random.default_rng(seed)
        self.check = next(c for c in ex8.CHECKS if c.name == ex8.CHECK_GRAD)

    def text(self, text, **fields):
        return text("en", **fields)

    def mistake(self, mistake_id):
        return " Likely mistake: " + MISTAKES[mistake_id].en


def _namespace(mistake=None, float32=False):
    from reference_impl import variants

    ns = {k: v for k, v in variants.namespace(mistake=mistake).items() if k in registry.get("ex8").names}
    if float32:
        forward, backward = ns["batchnorm_forward"], ns["batchnorm_backward"]

        def forward32(x, gamma, beta, bn_param):
            out, cache = forward(x, gamma, beta, bn_param)
            return out.astype(np.float32), cache

        def backward32(dout, cache):
            return tuple(g.astype(np.float32) for g in backward(dout, cache))

        ns.update(batchnorm_forward=forward32, batchnorm_backward=backward32)
    return ns


def _worst_relative_errors(monkeypatch, ns, seeds):
    """Per seed, the largest relative error the gradient check saw (it stops at the first failure)."""
    worst, seen = [], []
    original = ex8._rel

    def recording(*args):
        seen.append(original(*args))
        return seen[-1]

    monkeypatch.setattr(ex8, "_rel", recording)
    for seed in seeds:
        seen.clear()
        try:
            ex8.check_backward_gradient(_Ctx(LocalImpl(ns), seed))
        except Fail:
            pass
        worst.append(max(seen))
    return worst


@pytest.mark.parametrize("float32", [False, True])
def test_gradient_check_passes_correct_gradients_with_margin(monkeypatch, float32):
    h, tol, _, _ = ex8.PRECISION["float32" if float32 else "float64"]
    worst = _worst_relative_errors(monkeypatch, _namespace(float32=float32), range(2000 if float32 else 1000))
    assert max(worst) < (2e-4 if float32 else 1e-8)
    assert max(worst) < tol / 5


@pytest.mark.parametrize("float32", [False, True])
@pytest.mark.parametrize("mistake", ["bn_backward_no_xhat_term", "bn_backward_no_mean_term"])
def test_gradient_check_fails_a_missing_term_on_every_seed(monkeypatch, mistake, float32):
    _, tol, _, _ = ex8.PRECISION["float32" if float32 else "float64"]
    worst = _worst_relative_errors(monkeypatch, _namespace(mistake, float32), range(300))
    assert min(worst) > (2e-3 if float32 else 4e-4)
    assert min(worst) > 2 * tol


def test_init_checks_pass_the_reference_on_many_seeds():
    """The statistical checks are not tuned to one stream: the reference passes them on 30 other seeds."""
    impl = LocalImpl(_namespace())
    for seed in range(30):
        ctx = _Ctx(impl, seed)
        n_in, n_out = ex8.hidden_init_sizes(ctx.rng)
        for name in ex8.INIT:
            w = np.asarray(impl.call(name, n_in, n_out, Rng(seed)))
            ex8._assert_shape(ctx, name, w, n_in, n_out)
            ex8._assert_moments(ctx, name, w, n_in, n_out)
            ex8._assert_normal_tails(ctx, name, w, n_in, n_out)
