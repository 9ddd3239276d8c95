"""ex5 (optimizers): correct-but-different submissions keep full marks; realistic wrong ones lose
exactly the checks they should, with messages that name the mistake.

Submissions are small .py files graded in the sandbox with the hidden checks
(``grade_file(..., hidden=True)``), the way ``grader grade`` sees them.
"""
import textwrap

import numpy as np
import pytest

from autograder.cases import live_cases, public_cases
from autograder.exercises import ex5
from autograder.grading import grade_file
from autograder.impl import LocalImpl
from autograder.messages import t
from reference_impl import variants

#: one correct function per rule, lecture forms, written as a student would
LECTURE = {
    "sgd": '''
        def sgd(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-2)
            return w - config["learning_rate"] * dw, config
        ''',
    "sgd_momentum": '''
        def sgd_momentum(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            v = config.get("velocity", np.zeros_like(w))
            v = config["momentum"] * v - config["learning_rate"] * dw
            config["velocity"] = v
            return w + v, config
        ''',
    "sgd_nesterov": '''
        def sgd_nesterov(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            v = config.get("velocity", np.zeros_like(w))
            mu, lr = config["momentum"], config["learning_rate"]
            v = mu * v - lr * dw
            config["velocity"] = v
            return w + mu * v - lr * dw, config
        ''',
    "adagrad": '''
        def adagrad(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-3)
            config.setdefault("epsilon", 1e-7)
            config.setdefault("cache", np.zeros_like(w))
            config["cache"] = config["cache"] + dw**2
            return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config
        ''',
    "rmsprop": '''
        def rmsprop(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-3)
            config.setdefault("decay_rate", 0.9)
            config.setdefault("epsilon", 1e-7)
            config.setdefault("cache", np.zeros_like(w))
            rho = config["decay_rate"]
            config["cache"] = rho * config["cache"] + (1 - rho) * dw**2
            return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config
        ''',
    "adam": '''
        def adam(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-3)
            config.setdefault("beta1", 0.9)
            config.setdefault("beta2", 0.999)
            config.setdefault("epsilon", 1e-7)
            config.setdefault("m", np.zeros_like(w))
            config.setdefault("v", np.zeros_like(w))
            config.setdefault("t", 0)
            b1, b2 = config["beta1"], config["beta2"]
            config["t"] += 1
            config["m"] = b1 * config["m"] + (1 - b1) * dw
            config["v"] = b2 * config["v"] + (1 - b2) * dw**2
            m_hat = config["m"] / (1 - b1 ** config["t"])
            v_hat = config["v"] / (1 - b2 ** config["t"])
            return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
        ''',
}

#: the Keras forms of the adaptive rules (ε inside the root; Adam's correction in the step size)
KERAS = {
    "adagrad": '''
        def adagrad(w, dw, config=None):
            config = {} if config is None else config
            config.setdefault("learning_rate", 1e-3)
            config.setdefault("epsilon", 1e-7)
            config["cache"] = config.get("cache", np.zeros_like(w)) + dw**2
            return w - config["learning_rate"] * dw / np.sqrt(config["cache"] + config["epsilon"]), config
        ''',
    "rmsprop": '''
        def rmsprop(w, dw, config=None):
            config = {} if config is None else config
            config.setdefault("learning_rate", 1e-3)
            config.setdefault("decay_rate", 0.9)
            config.setdefault("epsilon", 1e-7)
            rho = config["decay_rate"]
            config["cache"] = rho * config.get("cache", np.zeros_like(w)) + (1 - rho) * dw**2
            return w - config["learning_rate"] * dw / np.sqrt(config["cache"] + config["epsilon"]), config
        ''',
    "adam": '''
        def adam(w, dw, config=None):
            config = {} if config is None else config
            for key, value in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-7)):
                config.setdefault(key, value)
            b1, b2 = config["beta1"], config["beta2"]
            t = config.get("t", 0) + 1
            m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
            v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
            alpha = config["learning_rate"] * np.sqrt(1 - b2**t) / (1 - b1**t)
            config.update(m=m, v=v, t=t)
            return w - alpha * m / (np.sqrt(v) + config["epsilon"]), config
        ''',
}

RULE_CHECKS = {rule: (f"{rule}: trajectory (fixtures)",
                      f"{rule} (hidden): trajectory with fresh gradients and hyper-parameters")
               for rule in ex5.RULES}
INIT = "initial state: zeros and t = 0"
DEFAULTS = "defaults: config=None uses the course's hyper-parameters"
STORED = "stored state: velocity, cache, m, v written back into config"
T_CHECK = "adam: config['t'] equals the number of steps"


def submission(**replace) -> str:
    """The lecture-form submission with some functions replaced (rule name -> source)."""
    parts = ["import numpy as np\n"]
    for rule in ex5.RULES:
        parts.append(textwrap.dedent(replace.get(rule, LECTURE[rule])))
    return "\n".join(parts)


def grade(tmp_path, code: str, lang: str = "en"):
    path = tmp_path / "ex5_optimizers.py"
    path.write_text(code, encoding="utf-8")
    return grade_file("ex5", path, hidden=True, lang=lang)


def by_name(result) -> dict:
    return {c.name: c for c in result.checks}


def failed(result) -> set:
    return {c.name for c in result.checks if not c.passed}


def assert_full_marks(result):
    assert result.error is None
    assert result.score == result.max_score == 15.0, {c.name: c.message for c in result.checks if not c.passed}


# ------------------------------------------------------------------ correct, written differently
def test_lecture_forms_get_full_marks_and_say_lecture(tmp_path):
    result = grade(tmp_path, submission())
    assert_full_marks(result)
    checks = by_name(result)
    for rule in ex5.ADAPTIVE:
        for name in RULE_CHECKS[rule]:
            assert "Recognised the lecture form" in checks[name].message


def test_keras_forms_get_full_marks_and_say_keras(tmp_path):
    result = grade(tmp_path, submission(**KERAS))
    assert_full_marks(result)
    checks = by_name(result)
    for rule in ex5.ADAPTIVE:
        for name in RULE_CHECKS[rule]:
            assert checks[name].message == t("form_recognised", "en", form="Keras"), checks[name].message


def test_keras_form_recognised_in_spanish(tmp_path):
    result = grade(tmp_path, submission(**KERAS), lang="es")
    assert_full_marks(result)
    assert by_name(result)[RULE_CHECKS["adam"][0]].message == "Reconocida la forma de Keras."


def test_forms_mixed_across_rules_get_full_marks(tmp_path):
    result = grade(tmp_path, submission(rmsprop=KERAS["rmsprop"], adam=KERAS["adam"]))
    assert_full_marks(result)
    checks = by_name(result)
    assert "Recognised the lecture form" in checks[RULE_CHECKS["adagrad"][0]].message
    assert "Recognised the Keras form" in checks[RULE_CHECKS["rmsprop"][0]].message
    assert "Recognised the Keras form" in checks[RULE_CHECKS["adam"][1]].message


IN_PLACE = {
    "sgd": '''
        def sgd(w, dw, config=None):
            config = config if config is not None else {}
            config.setdefault("learning_rate", 1e-2)
            w -= config["learning_rate"] * dw
            return w, config
        ''',
    "sgd_momentum": '''
        def sgd_momentum(w, dw, config=None):
            config = config if config is not None else {}
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            if "velocity" not in config:
                config["velocity"] = np.zeros_like(w)
            config["velocity"] *= config["momentum"]
            config["velocity"] -= config["learning_rate"] * dw
            w += config["velocity"]
            return w, config
        ''',
    "adam": '''
        def adam(w, dw, config=None):
            config = config if config is not None else {}
            for key, value in {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}.items():
                config.setdefault(key, value)
            m = config.setdefault("m", np.zeros_like(w))
            v = config.setdefault("v", np.zeros_like(w))
            config["t"] = config.get("t", 0) + 1
            m *= config["beta1"]
            m += (1 - config["beta1"]) * dw
            v *= config["beta2"]
            v += (1 - config["beta2"]) * dw * dw
            m_hat = m / (1 - config["beta1"] ** config["t"])
            v_hat = v / (1 - config["beta2"] ** config["t"])
            w -= config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
            return w, config
        ''',
}


def test_in_place_updates_of_w_and_state_get_full_marks(tmp_path):
    """w mutated in place and returned; state arrays updated in place inside config."""
    assert_full_marks(grade(tmp_path, submission(**IN_PLACE)))


def test_cs231n_nesterov_and_float32_results_get_full_marks(tmp_path):
    cs231n_nesterov = '''
        def sgd_nesterov(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            v_prev = config.get("velocity", np.zeros_like(w))
            v = config["momentum"] * v_prev - config["learning_rate"] * dw
            config["velocity"] = v
            return w - config["momentum"] * v_prev + (1 + config["momentum"]) * v, config
        '''
    float32_sgd = '''
        def sgd(w, dw, config=None):
            config = {} if config is None else config
            config.setdefault("learning_rate", 1e-2)
            return (w - config["learning_rate"] * dw).astype(np.float32), config
        '''
    assert_full_marks(grade(tmp_path, submission(sgd_nesterov=cs231n_nesterov, sgd=float32_sgd)))


def test_new_config_dict_and_float_t_get_full_marks(tmp_path):
    """Returning a fresh dict with everything in it, and t kept as a float, are fine."""
    adam = '''
        def adam(w, dw, config=None):
            old = dict(config or {})
            lr = old.get("learning_rate", 1e-3)
            b1, b2, eps = old.get("beta1", 0.9), old.get("beta2", 0.999), old.get("epsilon", 1e-7)
            t = old.get("t", 0.0) + 1.0
            m = b1 * old.get("m", 0.0 * w) + (1 - b1) * dw
            v = b2 * old.get("v", 0.0 * w) + (1 - b2) * dw**2
            next_w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
            return next_w, {"learning_rate": lr, "beta1": b1, "beta2": b2, "epsilon": eps, "m": m, "v": v, "t": t}
        '''
    assert_full_marks(grade(tmp_path, submission(adam=adam)))


# ------------------------------------------------------------------ initialisation mistakes
T_STARTS_AT_1 = '''
    def adam(w, dw, config=None):
        if config is None:
            config = {}
        config.setdefault("learning_rate", 1e-3)
        config.setdefault("beta1", 0.9)
        config.setdefault("beta2", 0.999)
        config.setdefault("epsilon", 1e-7)
        config.setdefault("m", np.zeros_like(w))
        config.setdefault("v", np.zeros_like(w))
        config.setdefault("t", 1)
        b1, b2 = config["beta1"], config["beta2"]
        config["t"] += 1
        config["m"] = b1 * config["m"] + (1 - b1) * dw
        config["v"] = b2 * config["v"] + (1 - b2) * dw**2
        m_hat = config["m"] / (1 - b1 ** config["t"])
        v_hat = config["v"] / (1 - b2 ** config["t"])
        return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
    '''


def test_t_starting_at_1_loses_only_the_initial_state_check(tmp_path):
    result = grade(tmp_path, submission(adam=T_STARTS_AT_1))
    assert failed(result) == {INIT}
    assert result.score == 14.0
    message = by_name(result)[INIT].message
    assert "`t` starts at 1 instead of 0" in message
    assert ex5.MISTAKES["optim_adam_t_starts_at_1"].en in message
    for name in RULE_CHECKS["adam"]:
        assert "explicit zero state" in by_name(result)[name].message


def test_t_starting_at_1_message_in_spanish(tmp_path):
    result = grade(tmp_path, submission(adam=T_STARTS_AT_1), lang="es")
    message = by_name(result)[INIT].message
    assert "`t` empieza en 1 en lugar de 0" in message
    assert ex5.MISTAKES["optim_adam_t_starts_at_1"].es in message


def test_sgd_climbing_the_gradient_in_spanish_has_spanish_titles_and_the_mistake_id(tmp_path):
    result = grade(tmp_path, submission(sgd=LECTURE["sgd"].replace("return w - ", "return w + ")), lang="es")
    assert {c.id for c in result.checks if not c.passed} == {"ex5.sgd", "ex5.sgd_hidden"}
    check = result.check("sgd")
    assert check.name == RULE_CHECKS["sgd"][0]
    assert check.title("es") == "sgd: trayectoria (casos públicos)"
    assert result.check("ex5.sgd_hidden").title("es") == (
        "sgd (oculta): trayectoria con gradientes e hiperparámetros nuevos")
    assert ex5.MISTAKES["optim_sgd_wrong_sign"].es in check.message
    assert check.mistakes == ("optim_sgd_wrong_sign",)


def test_a_return_that_is_not_a_pair_is_described_in_spanish(tmp_path):
    result = grade(tmp_path, submission(sgd=LECTURE["sgd"].replace(
        "return w - config[\"learning_rate\"] * dw, config",
        "return w - config[\"learning_rate\"] * dw, config, None")), lang="es")
    assert "sgd debe devolver un par (next_w, config); en el paso 1 devolvió un tuple de longitud 3." in (
        result.check("sgd").message)


def test_keras_accumulator_start_is_not_accepted(tmp_path):
    keras_adagrad_start = KERAS["adagrad"].replace('config.get("cache", np.zeros_like(w))',
                                                   'config.get("cache", np.full_like(w, 0.1))')
    assert keras_adagrad_start != KERAS["adagrad"]
    result = grade(tmp_path, submission(adagrad=keras_adagrad_start))
    assert failed(result) == {INIT}
    message = by_name(result)[INIT].message
    assert "`cache` starts at 0.1 instead of 0" in message
    assert ex5.MISTAKES["optim_adagrad_cache_starts_at_0_1"].en in message
    assert "Recognised the Keras form" in by_name(result)[RULE_CHECKS["adagrad"][0]].message


def test_state_that_must_be_given_loses_only_the_initial_state_check(tmp_path):
    """config['velocity'] read without a default raises on the first call; from a given state all is right."""
    momentum = LECTURE["sgd_momentum"].replace('config.get("velocity", np.zeros_like(w))', 'config["velocity"]')
    assert momentum != LECTURE["sgd_momentum"]
    result = grade(tmp_path, submission(sgd_momentum=momentum))
    assert failed(result) == {INIT}
    message = by_name(result)[INIT].message
    assert "KeyError" in message and "config.setdefault('velocity', np.zeros_like(w))" in message


# ------------------------------------------------------------------ wrong update rules and state handling
def test_nesterov_written_as_momentum_loses_the_nesterov_points(tmp_path):
    nesterov = '''
        def sgd_nesterov(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            v = config.get("velocity", np.zeros_like(w))
            v = config["momentum"] * v - config["learning_rate"] * dw
            config["velocity"] = v
            w = w + v
            return w, config
        '''
    result = grade(tmp_path, submission(sgd_nesterov=nesterov))
    assert failed(result) == set(RULE_CHECKS["sgd_nesterov"])
    assert result.score == 13.0
    for name in RULE_CHECKS["sgd_nesterov"]:
        assert ex5.MISTAKES["optim_nesterov_as_momentum"].en in by_name(result)[name].message


def test_velocity_in_a_local_variable_is_named(tmp_path):
    momentum = '''
        def sgd_momentum(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            velocity = np.zeros_like(w)
            velocity = config["momentum"] * velocity - config["learning_rate"] * dw
            return w + velocity, config
        '''
    result = grade(tmp_path, submission(sgd_momentum=momentum))
    assert failed(result) == {*RULE_CHECKS["sgd_momentum"], STORED}
    message = by_name(result)[STORED].message
    assert "no 'velocity'" in message
    assert ex5.MISTAKES["optim_state_not_stored"].en in message
    assert ex5.MISTAKES["optim_state_not_stored"].en in by_name(result)[RULE_CHECKS["sgd_momentum"][0]].message


def test_adam_without_bias_correction_loses_the_adam_rule_only(tmp_path):
    adam = LECTURE["adam"].replace('m_hat = config["m"] / (1 - b1 ** config["t"])', 'm_hat = config["m"]')
    adam = adam.replace('v_hat = config["v"] / (1 - b2 ** config["t"])', 'v_hat = config["v"]')
    result = grade(tmp_path, submission(adam=adam))
    assert failed(result) == set(RULE_CHECKS["adam"])
    assert ex5.MISTAKES["optim_adam_no_bias_correction"].en in by_name(result)[RULE_CHECKS["adam"][0]].message


def test_rmsprop_without_one_minus_decay_is_named(tmp_path):
    rmsprop = LECTURE["rmsprop"].replace("(1 - rho) * dw**2", "dw**2")
    result = grade(tmp_path, submission(rmsprop=rmsprop))
    assert failed(result) == {*RULE_CHECKS["rmsprop"], STORED}
    for name in (*RULE_CHECKS["rmsprop"], STORED):
        assert ex5.MISTAKES["optim_rmsprop_no_one_minus_decay"].en in by_name(result)[name].message


def test_t_not_written_back_fails_the_t_check(tmp_path):
    adam = '''
        def adam(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-3)
            config.setdefault("beta1", 0.9)
            config.setdefault("beta2", 0.999)
            config.setdefault("epsilon", 1e-7)
            config.setdefault("m", np.zeros_like(w))
            config.setdefault("v", np.zeros_like(w))
            t = config.get("t", 0) + 1
            b1, b2 = config["beta1"], config["beta2"]
            config["m"] = b1 * config["m"] + (1 - b1) * dw
            config["v"] = b2 * config["v"] + (1 - b2) * dw**2
            m_hat = config["m"] / (1 - b1**t)
            v_hat = config["v"] / (1 - b2**t)
            return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
        '''
    result = grade(tmp_path, submission(adam=adam))
    assert failed(result) == {*RULE_CHECKS["adam"], T_CHECK}
    assert ex5.MISTAKES["optim_adam_t_not_stored"].en in by_name(result)[T_CHECK].message


def test_wrong_default_is_caught_by_the_defaults_check_only(tmp_path):
    rmsprop = LECTURE["rmsprop"].replace('config.setdefault("decay_rate", 0.9)', 'config.setdefault("decay_rate", 0.99)')
    result = grade(tmp_path, submission(rmsprop=rmsprop))
    assert failed(result) == {DEFAULTS}
    message = by_name(result)[DEFAULTS].message
    assert "rmsprop: config['decay_rate']" in message and "expected 0.9, got 0.99" in message


def test_config_none_not_handled_fails_the_defaults_check(tmp_path):
    sgd = '''
        def sgd(w, dw, config=None):
            config.setdefault("learning_rate", 1e-2)
            return w - config["learning_rate"] * dw, config
        '''
    result = grade(tmp_path, submission(sgd=sgd))
    assert failed(result) == {DEFAULTS}
    assert "AttributeError" in by_name(result)[DEFAULTS].message


def test_returning_only_next_w_is_explained(tmp_path):
    sgd = '''
        def sgd(w, dw, config=None):
            config = config or {}
            return w - config.get("learning_rate", 1e-2) * dw
        '''
    result = grade(tmp_path, submission(sgd=sgd))
    assert failed(result) == {*RULE_CHECKS["sgd"], DEFAULTS}
    assert "must return a pair (next_w, config)" in by_name(result)[RULE_CHECKS["sgd"][0]].message


# ------------------------------------------------------------------ the cases are fit for purpose
def _max_rel(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore"):
        return float(np.nanmax(np.where(np.isfinite(a), np.abs(a - b) / np.abs(b), np.inf)))


@pytest.mark.parametrize("rule", ex5.RULES)
@pytest.mark.parametrize("source", ["public", "hidden"])
def test_forms_and_mistakes_differ_far_beyond_the_tolerance(rule, source):
    """Lecture and Keras forms differ (so the form named is the form used), and every known
    mistake differs from both (so no mistake passes), by ≥ 1e-3 relative: 10× float32's rtol."""
    spec = ex5.RULE_SPECS[rule]
    cases = public_cases(spec) if source == "public" else live_cases(spec, "another-hidden-key")
    for case in cases:
        forms = [out[ex5.TRAJ] for out in case.accepted.values()]
        if len(forms) == 2:
            assert _max_rel(forms[1], forms[0]) > 1e-3
        assert set(case.variants) == set(spec.mistakes)
        for mistake, out in case.variants.items():
            for form in forms:
                assert _max_rel(out[ex5.TRAJ], form) > 1e-3, mistake


def test_explicit_zero_state_gives_the_reference_trajectory():
    """The fallback start is the reference's own start: both forms, every rule."""
    for rule in ex5.STATEFUL:
        case = public_cases(ex5.RULE_SPECS[rule])[0]
        for form, expected in case.accepted.items():
            got, _ = ex5.run_trajectory(LocalImpl(variants.namespace(form)), case.inputs, from_zero_state=True)
            np.testing.assert_allclose(got[ex5.TRAJ], expected[ex5.TRAJ], rtol=1e-12, atol=0)


def test_fixture_hyper_parameters_are_the_spec_defaults():
    case = public_cases(ex5.DEFAULTS_SPEC)[0]
    expected = {"sgd": {"learning_rate": 1e-2}, "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
                "sgd_nesterov": {"learning_rate": 1e-2, "momentum": 0.9},
                "adagrad": {"learning_rate": 1e-3, "epsilon": 1e-7},
                "rmsprop": {"learning_rate": 1e-3, "decay_rate": 0.9, "epsilon": 1e-7},
                "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}}
    for form, outputs in case.accepted.items():
        assert outputs == {f"{rule}: config[{key!r}]": value
                           for rule, hyper in expected.items() for key, value in hyper.items()}, form
