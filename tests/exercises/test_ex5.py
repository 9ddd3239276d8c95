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
T_CHECK = "adam: config['t'] equals the number of steps"


def state_id(prop: str, rule: str) -> str:
    """The id of a rule's check of a state property (initial_state, defaults, stored_state)."""
    return f"{prop}_{rule}"


CHECKS_BY_ID = {c.id: c for c in ex5.CHECKS}
#: per rule, the title of its check of each state property
INIT = {rule: CHECKS_BY_ID[state_id("initial_state", rule)].name for rule in ex5.STATEFUL}
DEFAULTS = {rule: CHECKS_BY_ID[state_id("defaults", rule)].name for rule in ex5.RULES}
STORED = {rule: CHECKS_BY_ID[state_id("stored_state", rule)].name for rule in ex5.STATEFUL}
STATE_POINTS = 3 / 16


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


def failed_ids(result) -> set:
    return {c.id.split(".", 1)[1] for c in result.checks if not c.passed}


def all_messages(result) -> str:
    return "\n".join(c.text("en") for c in result.checks)


def assert_full_marks(result):
    assert result.error is None
    assert result.score == result.max_score == 15.0, {c.name: c.message for c in result.checks if not c.passed}


#: the note of a stored-state check that keeps its points: the rule's mistake is scored once, by the rule checks
STATE_KEPT = {"en": "that one mistake is scored once, by the trajectory checks of {rule}: this check keeps its points.",
              "es": "ese único error se puntúa una sola vez, en las comprobaciones de la trayectoria de {rule}: "
                    "esta comprobación conserva sus puntos."}


def assert_state_kept(result, rule: str, mistake: str):
    """The stored-state check of ``rule`` keeps its points: the state is stored and carried, it only holds what
    the (wrong) rule computes; the note names the rule's mistake, in both languages."""
    check = result.check(state_id("stored_state", rule))
    assert check.passed and check.points == STATE_POINTS, check.text("en")
    assert check.mistakes == ()  # said in the note, not recorded: a passing check names no mistake
    for lang in ("en", "es"):
        text = check.text(lang)
        assert STATE_KEPT[lang].format(rule=rule) in text, text
        assert getattr(ex5.MISTAKES[mistake], lang) in text


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
    assert failed(result) == {INIT["adam"]}
    assert failed_ids(result) == {"initial_state_adam"}
    assert result.score == 15.0 - STATE_POINTS
    message = by_name(result)[INIT["adam"]].message
    assert "`t` starts at 1 instead of 0" in message
    assert ex5.MISTAKES["optim_adam_t_starts_at_1"].en in message
    assert result.check("initial_state_adam").mistakes == ("optim_adam_t_starts_at_1",)
    for name in RULE_CHECKS["adam"]:
        assert "explicit zero state" in by_name(result)[name].message


def test_t_starting_at_1_message_in_spanish(tmp_path):
    result = grade(tmp_path, submission(adam=T_STARTS_AT_1), lang="es")
    message = by_name(result)[INIT["adam"]].message
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
    assert failed_ids(result) == {"initial_state_adagrad"}
    message = by_name(result)[INIT["adagrad"]].message
    assert "`cache` starts at 0.1 instead of 0" in message
    assert ex5.MISTAKES["optim_adagrad_cache_starts_at_0_1"].en in message
    assert "Recognised the Keras form" in by_name(result)[RULE_CHECKS["adagrad"][0]].message


def test_state_that_must_be_given_loses_only_the_initial_state_check(tmp_path):
    """config['velocity'] read without a default raises on the first call; from a given state all is right."""
    momentum = LECTURE["sgd_momentum"].replace('config.get("velocity", np.zeros_like(w))', 'config["velocity"]')
    assert momentum != LECTURE["sgd_momentum"]
    result = grade(tmp_path, submission(sgd_momentum=momentum))
    assert failed_ids(result) == {"initial_state_sgd_momentum"}
    message = by_name(result)[INIT["sgd_momentum"]].message
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
    assert failed(result) == {*RULE_CHECKS["sgd_momentum"], STORED["sgd_momentum"]}
    message = by_name(result)[STORED["sgd_momentum"]].message
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
    assert failed(result) == set(RULE_CHECKS["rmsprop"])
    for name in RULE_CHECKS["rmsprop"]:
        assert ex5.MISTAKES["optim_rmsprop_no_one_minus_decay"].en in by_name(result)[name].message
    assert_state_kept(result, "rmsprop", "optim_rmsprop_no_one_minus_decay")  # scored once, in the rule


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
    assert failed(result) == {DEFAULTS["rmsprop"]}
    message = by_name(result)[DEFAULTS["rmsprop"]].message
    assert "rmsprop: config['decay_rate']" in message and "expected 0.9, got 0.99" in message


def test_config_none_not_handled_fails_the_defaults_check(tmp_path):
    sgd = '''
        def sgd(w, dw, config=None):
            config.setdefault("learning_rate", 1e-2)
            return w - config["learning_rate"] * dw, config
        '''
    result = grade(tmp_path, submission(sgd=sgd))
    assert failed(result) == {DEFAULTS["sgd"]}
    assert "AttributeError" in by_name(result)[DEFAULTS["sgd"]].message


def test_returning_only_next_w_is_explained(tmp_path):
    sgd = '''
        def sgd(w, dw, config=None):
            config = config or {}
            return w - config.get("learning_rate", 1e-2) * dw
        '''
    result = grade(tmp_path, submission(sgd=sgd))
    assert failed(result) == {*RULE_CHECKS["sgd"], DEFAULTS["sgd"]}
    assert "must return a pair (next_w, config)" in by_name(result)[RULE_CHECKS["sgd"][0]].message


# ------------------------------------------------------------------ the state checks judge each rule on its own
def only(*rules, **replace) -> str:
    """A submission that defines only ``rules`` (lecture forms unless replaced: rule name -> source)."""
    return "\n".join(["import numpy as np\n"] + [textwrap.dedent(replace.get(rule, LECTURE[rule])) for rule in rules])


def test_state_checks_are_one_per_rule_and_share_the_state_cell():
    state = [c for c in ex5.CHECKS if c.cell == "state"]
    expected = {state_id(prop, rule) for prop, rules in (("initial_state", ex5.STATEFUL), ("defaults", ex5.RULES),
                                                          ("stored_state", ex5.STATEFUL)) for rule in rules}
    assert {c.id for c in state} == expected and len(state) == 16
    assert sum(c.points for c in state) == 3.0  # the cell's points before the split
    for check in state:
        assert check.points == STATE_POINTS and len(check.needs) == 1
        rule = check.needs[0]
        assert check.name.startswith(f"{rule}: ") and check.title_es.startswith(f"{rule}: "), check.name
    # the ids of the former property checks live on as Adam's
    assert {CHECKS_BY_ID[i].needs for i in ("initial_state_adam", "defaults_adam", "stored_state_adam")} == {("adam",)}


def test_a_submission_with_some_rules_gets_the_state_points_of_those(tmp_path):
    """sgd_momentum, rmsprop and adam only (a common subset): their state checks pass, and each missing rule
    costs its own share, told that it is that rule which is not defined."""
    result = grade(tmp_path, only("sgd_momentum", "rmsprop", "adam"))
    for check in result.checks:
        rule = CHECKS_BY_ID[check.id.split(".", 1)[1]].needs[0]
        if rule in ("sgd_momentum", "rmsprop", "adam"):
            assert check.passed, (check.id, check.text("en"))
        else:
            assert not check.passed and check.text("en") == f"`{rule}` is not defined.", (check.id, check.text("en"))
    # rules public 3 + hidden 2.5, adam_t 1, and 9 state checks (3 properties of 3 rules)
    assert result.score == 3 + 2.5 + 1 + 9 * STATE_POINTS


def test_adam_t_starting_at_1_is_told_in_a_submission_with_some_rules(tmp_path):
    result = grade(tmp_path, only("sgd_momentum", "rmsprop", "adam", adam=T_STARTS_AT_1))
    check = result.check("initial_state_adam")
    assert not check.passed and check.mistakes == ("optim_adam_t_starts_at_1",)
    assert "`t` starts at 1 instead of 0" in check.text("en")
    assert result.check("initial_state_sgd_momentum").passed and result.check("initial_state_rmsprop").passed
    assert "not defined" in result.check("initial_state_sgd_nesterov").text("en")


# ------------------------------------------------------------------ where t starts and when it is incremented
ADAM_T = """
    def adam(w, dw, config=None):
        if config is None:
            config = {}
        config.setdefault("learning_rate", 1e-3)
        config.setdefault("beta1", 0.9)
        config.setdefault("beta2", 0.999)
        config.setdefault("epsilon", 1e-7)
        config.setdefault("m", np.zeros_like(w))
        config.setdefault("v", np.zeros_like(w))
        config.setdefault("t", START)
        b1, b2 = config["beta1"], config["beta2"]
        BEFORE
        config["m"] = b1 * config["m"] + (1 - b1) * dw
        config["v"] = b2 * config["v"] + (1 - b2) * dw**2
        m_hat = config["m"] / (1 - b1 ** config["t"])
        v_hat = config["v"] / (1 - b2 ** config["t"])
        next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
        AFTER
        return next_w, config
    """


def adam_t(start: int, increment: str) -> str:
    """Adam with t starting at ``start``, incremented "before" its use, "after" it or "never"."""
    return (ADAM_T.replace("START", str(start))
            .replace("BEFORE", 'config["t"] += 1' if increment == "before" else "pass")
            .replace("AFTER", 'config["t"] += 1' if increment == "after" else "pass"))


def mistakes_named(result) -> set:
    return {m for c in result.checks for m in c.mistakes}


def test_adam_t_written_as_the_lecture_says_gets_full_marks(tmp_path):
    assert_full_marks(grade(tmp_path, submission(adam=adam_t(0, "before"))))


def test_t_from_1_incremented_before_use_is_the_t_2_mistake(tmp_path):
    result = grade(tmp_path, submission(adam=adam_t(1, "before")))
    assert failed_ids(result) == {"initial_state_adam"}
    assert mistakes_named(result) == {"optim_adam_t_starts_at_1"}


def test_t_from_1_incremented_after_use_has_the_right_steps_and_one_too_many_in_config(tmp_path):
    """The first step uses t = 1, as it should: the trajectory is right and only the stored t (31 after 30
    steps) breaks the course's convention. Nothing says t = 2, and the grader's own t = 0 retry (which
    divides by zero) puts no RuntimeWarning in the student's feedback."""
    result = grade(tmp_path, submission(adam=adam_t(1, "after")))
    assert failed_ids(result) == {"initial_state_adam"}
    assert result.score == 15.0 - STATE_POINTS
    check = result.check("initial_state_adam")
    assert check.mistakes == ("optim_adam_t_from_1_after_use",)
    message = check.text("en")
    assert "its updates are right" in message and "expected 30, got 31" in message
    assert "`t` starts at 1 instead of 0" in message
    for check_id in ("adam", "adam_hidden"):
        assert result.check(check_id).text("en") == "Recognised the lecture form."
    assert "t = 2" not in all_messages(result)
    assert "RuntimeWarning" not in all_messages(result)
    assert ex5.MISTAKES["optim_adam_t_from_1_after_use"].es in result.check("initial_state_adam").text("es")


def test_t_never_incremented_from_1_is_named_and_never_told_t_2(tmp_path):
    result = grade(tmp_path, submission(adam=adam_t(1, "never")))
    assert failed_ids(result) == {"adam", "adam_hidden", "adam_t", "initial_state_adam"}
    for check_id in ("adam", "adam_hidden", "adam_t", "initial_state_adam"):
        assert result.check(check_id).mistakes == ("optim_adam_t_not_incremented",), check_id
    assert "config['t'] stays at 1 over the 30 calls" in result.check("adam").text("en")
    assert "t = 2" not in all_messages(result)
    # its own calls never divide by zero (t = 1 at each): the warnings of the t = 0 retry are not its
    assert "RuntimeWarning" not in all_messages(result)


def test_t_never_incremented_from_0_is_not_taken_for_t_incremented_after_use(tmp_path):
    """Both divide by zero at the first step (the same NaN trajectory); the stored t tells them apart."""
    result = grade(tmp_path, submission(adam=adam_t(0, "never")))
    assert failed_ids(result) == {"adam", "adam_hidden", "adam_t"}
    assert mistakes_named(result) == {"optim_adam_t_not_incremented"}
    message = result.check("adam").text("en")
    assert "config['t'] stays at 0 over the 30 calls" in message
    assert "RuntimeWarning" in message  # its own calls divide by zero: that warning is the student's


def test_t_from_0_incremented_after_use_is_named_late(tmp_path):
    result = grade(tmp_path, submission(adam=adam_t(0, "after")))
    assert failed_ids(result) == {"adam", "adam_hidden"}
    assert mistakes_named(result) == {"optim_adam_t_late"}


def test_warnings_of_calls_from_the_grader_s_zero_state_are_dropped():
    """ex5._grader_state: what the submission's code warns in calls made from a state the grader chose leaves
    impl.warnings as it was; its warnings elsewhere stay."""
    import warnings

    def rule(w, dw, config=None):
        warnings.warn("from the student's code", RuntimeWarning)
        return w, config

    impl = LocalImpl({"sgd": rule})
    impl.call("sgd", np.zeros((1, 1)), np.zeros((1, 1)), {})
    assert impl.warnings == ["from the student's code"]
    with ex5._grader_state(impl):
        impl.call("sgd", np.zeros((1, 1)), np.zeros((1, 1)), {})
        assert len(impl.warnings) == 2
    assert impl.warnings == ["from the student's code"]


# ------------------------------------------------------------------ every default, and the velocity's sign
def test_every_wrong_default_is_reported(tmp_path):
    adam = LECTURE["adam"].replace('config.setdefault("beta1", 0.9)', 'config.setdefault("beta1", 0.95)')
    adam = adam.replace('config.setdefault("epsilon", 1e-7)', 'config.setdefault("epsilon", 1e-8)')
    result = grade(tmp_path, submission(adam=adam))
    assert failed_ids(result) == {"defaults_adam"}
    message = result.check("defaults_adam").text("en")
    assert "adam: config['beta1']" in message and "expected 0.9, got 0.95" in message
    assert "adam: config['epsilon']" in message and "expected 1e-07, got 1e-08" in message


def test_a_wrong_default_epsilon_alone_is_named(tmp_path):
    adam = LECTURE["adam"].replace('config.setdefault("epsilon", 1e-7)', 'config.setdefault("epsilon", 1e-8)')
    result = grade(tmp_path, submission(adam=adam))
    assert failed_ids(result) == {"defaults_adam"}
    assert result.check("defaults_adam").mistakes == ("optim_adam_default_epsilon",)


def test_every_missing_default_is_reported(tmp_path):
    """Defaults read with config.get and never stored: each missing key is said."""
    rmsprop = """
        def rmsprop(w, dw, config=None):
            config = {} if config is None else config
            lr, rho, eps = config.get("learning_rate", 1e-3), config.get("decay_rate", 0.9), config.get("epsilon", 1e-7)
            config["cache"] = rho * config.get("cache", np.zeros_like(w)) + (1 - rho) * dw**2
            return w - lr * dw / (np.sqrt(config["cache"]) + eps), config
        """
    result = grade(tmp_path, submission(rmsprop=rmsprop))
    assert failed_ids(result) == {"defaults_rmsprop"}
    message = result.check("defaults_rmsprop").text("en")
    for key, value in (("learning_rate", "0.001"), ("decay_rate", "0.9"), ("epsilon", "1e-07")):
        assert f"config.setdefault('{key}', {value})" in message, key


OPPOSITE_SIGN = {
    "sgd_momentum": """
        def sgd_momentum(w, dw, config=None):
            config = {} if config is None else config
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            v = config["momentum"] * config.get("velocity", np.zeros_like(w)) + config["learning_rate"] * dw
            config["velocity"] = v
            return w - v, config
        """,
    "sgd_nesterov": """
        def sgd_nesterov(w, dw, config=None):
            config = {} if config is None else config
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            mu, lr = config["momentum"], config["learning_rate"]
            v = mu * config.get("velocity", np.zeros_like(w)) + lr * dw
            config["velocity"] = v
            return w - (mu * v + lr * dw), config
        """,
}


def test_velocity_of_the_opposite_sign_loses_only_the_stored_state_and_says_the_convention(tmp_path):
    result = grade(tmp_path, submission(**OPPOSITE_SIGN))
    assert failed_ids(result) == {"stored_state_sgd_momentum", "stored_state_sgd_nesterov"}
    for rule in OPPOSITE_SIGN:
        check = result.check(state_id("stored_state", rule))
        assert check.mistakes == ("optim_velocity_opposite_sign",)
        assert "velocity = mu*velocity - lr*dw, then w += velocity" in check.text("en")
        assert ex5.MISTAKES["optim_velocity_opposite_sign"].es in check.text("es")


def test_momentum_climbing_the_gradient_is_not_taken_for_the_opposite_sign(tmp_path):
    """Both store the velocity with the opposite sign; only the trajectory tells them apart. Climbing the
    gradient is a mistake of the rule, scored there: the velocity it stores is what that rule computes, so
    the stored-state check keeps its points (the opposite sign with the right steps loses it, above)."""
    momentum = LECTURE["sgd_momentum"].replace('- config["learning_rate"] * dw', '+ config["learning_rate"] * dw')
    assert momentum != LECTURE["sgd_momentum"]
    result = grade(tmp_path, submission(sgd_momentum=momentum))
    assert failed_ids(result) == {"sgd_momentum", "sgd_momentum_hidden"}
    assert named(result, "sgd_momentum") == ("optim_momentum_wrong_sign",)
    assert_state_kept(result, "sgd_momentum", "optim_momentum_wrong_sign")


def test_a_wrong_state_that_is_no_known_mistake_is_told_the_convention(tmp_path):
    """PyTorch's momentum (buf = mu*buf + dw; w -= lr*buf) takes the same steps with a constant learning rate,
    but its velocity is in gradient units: no known mistake, the message says what velocity must hold."""
    pytorch = """
        def sgd_momentum(w, dw, config=None):
            config = {} if config is None else config
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            config["velocity"] = config["momentum"] * config.get("velocity", np.zeros_like(w)) + dw
            return w - config["learning_rate"] * config["velocity"], config
        """
    result = grade(tmp_path, submission(sgd_momentum=pytorch))
    assert failed_ids(result) == {"stored_state_sgd_momentum"}
    check = result.check("stored_state_sgd_momentum")
    assert check.mistakes == ()
    assert ("The course's convention, which config['velocity'] is compared with: "
            "velocity = mu*velocity - lr*dw, then w += velocity.") in check.text("en")
    assert "La convención del curso, con la que se compara config['velocity']" in check.text("es")


# ------------------------------------------------------------------ the cases are fit for purpose
def _max_rel(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore"):
        return float(np.nanmax(np.where(np.isfinite(a), np.abs(a - b) / np.abs(b), np.inf)))


@pytest.mark.parametrize("rule", ex5.RULES)
@pytest.mark.parametrize("source", ["public", "hidden"])
def test_forms_and_mistakes_differ_far_beyond_the_tolerance(rule, source):
    """Lecture and Keras forms differ (so the form named is the form used), and every known
    mistake differs from both (so no mistake passes), by ≥ 1e-3 relative: 10× float32's rtol. The mistakes of
    the stored state only take the reference's steps and differ as much in the state they store."""
    spec = ex5.RULE_SPECS[rule]
    cases = public_cases(spec) if source == "public" else live_cases(spec, "another-hidden-key")
    for case in cases:
        forms = [out[ex5.TRAJ] for out in case.accepted.values()]
        if len(forms) == 2:
            assert _max_rel(forms[1], forms[0]) > 1e-3
        assert set(case.variants) == set(spec.mistakes)
        for mistake, out in case.variants.items():
            if mistake in ex5.STATE_ONLY_MISTAKES:
                assert _max_rel(out[ex5.TRAJ], forms[0]) < 1e-12, mistake
                reference = next(iter(case.accepted.values()))
                assert max(_max_rel(out[ex5.state_label(key)], reference[ex5.state_label(key)])
                           for key in ex5.STATE[rule]) > 1e-3, mistake
                continue
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


# ------------------------------------------------------------------ issue 13: the mistakes found unnamed in real code
def named(result, check_id) -> tuple:
    return result.check(check_id).mistakes


def test_a_learning_rate_hard_coded_loses_the_rule_and_is_named(tmp_path):
    """The explicit hyper-parameters are never the defaults, so a literal default in the formula shows; the
    defaults check (config=None) still passes: the literal is the default."""
    sgd = LECTURE["sgd"].replace('return w - config["learning_rate"] * dw', "return w - 1e-2 * dw")
    assert sgd != LECTURE["sgd"]
    result = grade(tmp_path, submission(sgd=sgd))
    assert failed_ids(result) == {"sgd", "sgd_hidden"}
    for check_id in ("sgd", "sgd_hidden"):
        assert named(result, check_id) == ("optim_learning_rate_hard_coded",)
    assert ex5.MISTAKES["optim_learning_rate_hard_coded"].es in result.check("sgd").text("es")


def test_momentum_hard_coded_is_named(tmp_path):
    momentum = LECTURE["sgd_momentum"].replace('v = config["momentum"] * v', "v = 0.9 * v")
    assert momentum != LECTURE["sgd_momentum"]
    result = grade(tmp_path, submission(sgd_momentum=momentum))
    assert failed_ids(result) == {"sgd_momentum", "sgd_momentum_hidden"}
    assert mistakes_named(result) == {"optim_momentum_hard_coded"}
    assert_state_kept(result, "sgd_momentum", "optim_momentum_hard_coded")


def test_a_consistently_wrong_rule_keeps_the_stored_state_points_with_a_note(tmp_path):
    """Momentum written as 0.9 in both momentum rules: the velocity is written back and carried right, it only
    holds what the wrong rule computes. The one mistake is scored once, by the rule checks; each stored-state
    check keeps its points and says why, naming the mistake, in English and in Spanish."""
    momentum = LECTURE["sgd_momentum"].replace('v = config["momentum"] * v', "v = 0.9 * v")
    nesterov = LECTURE["sgd_nesterov"].replace('mu, lr = config["momentum"], config["learning_rate"]',
                                               'mu, lr = 0.9, config["learning_rate"]')
    assert momentum != LECTURE["sgd_momentum"] and nesterov != LECTURE["sgd_nesterov"]
    code = submission(sgd_momentum=momentum, sgd_nesterov=nesterov)
    result = grade(tmp_path, code)
    assert failed_ids(result) == {"sgd_momentum", "sgd_momentum_hidden", "sgd_nesterov", "sgd_nesterov_hidden"}
    assert result.score == 15.0 - (1 + 0.5) - (1 + 1)  # the rule checks only (Nesterov's hidden one is 1)
    for rule in ("sgd_momentum", "sgd_nesterov"):
        assert named(result, rule) == named(result, f"{rule}_hidden") == ("optim_momentum_hard_coded",)
        assert_state_kept(result, rule, "optim_momentum_hard_coded")
        assert "writes its state (velocity) back into config and carries it from call to call" in \
            result.check(state_id("stored_state", rule)).text("en")
    spanish = grade(tmp_path, code, lang="es").check("stored_state_sgd_momentum")
    assert spanish.passed and spanish.points == STATE_POINTS
    assert spanish.message.startswith("sgd_momentum guarda su estado (velocity) de vuelta en config y lo pasa de "
                                      "una llamada a la siguiente")
    assert STATE_KEPT["es"].format(rule="sgd_momentum") in spanish.message
    assert ex5.MISTAKES["optim_momentum_hard_coded"].es in spanish.message


def test_a_wrong_rule_whose_state_is_not_stored_still_loses_the_stored_state(tmp_path):
    """The same hard-coded momentum with the velocity kept in a local variable: the state is not written back,
    which is this check's business: it fails and names that mistake (the rule checks name theirs)."""
    momentum = '''
        def sgd_momentum(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            v = config.get("velocity", np.zeros_like(w))
            v = 0.9 * v - config["learning_rate"] * dw
            return w + v, config
        '''
    result = grade(tmp_path, submission(sgd_momentum=momentum))
    assert failed_ids(result) == {"sgd_momentum", "sgd_momentum_hidden", "stored_state_sgd_momentum"}
    check = result.check("stored_state_sgd_momentum")
    assert check.points == 0 and check.mistakes == ("optim_state_not_stored",)
    assert "no 'velocity'" in check.text("en")
    assert STATE_KEPT["en"].format(rule="sgd_momentum") not in check.text("en")
    assert ex5.MISTAKES["optim_state_not_stored"].es in check.text("es")


def test_mistakes_of_the_state_itself_still_lose_the_stored_state(tmp_path):
    """AdaGrad's cache replaced by dw**2 (the previous cache never reaches the next call: the outputs of a cache
    reset at every call) and Adam storing m_hat and v_hat are wrong state, scored here as well as in the rule."""
    adagrad = LECTURE["adagrad"].replace('config["cache"] = config["cache"] + dw**2', 'config["cache"] = dw**2')
    adam = (LECTURE["adam"]
            .replace('m_hat = config["m"] / (1 - b1 ** config["t"])',
                     'm_hat = config["m"] = config["m"] / (1 - b1 ** config["t"])')
            .replace('v_hat = config["v"] / (1 - b2 ** config["t"])',
                     'v_hat = config["v"] = config["v"] / (1 - b2 ** config["t"])'))
    assert adagrad != LECTURE["adagrad"] and adam != LECTURE["adam"]
    result = grade(tmp_path, submission(adagrad=adagrad, adam=adam))
    assert failed_ids(result) == {"adagrad", "adagrad_hidden", "stored_state_adagrad",
                                  "adam", "adam_hidden", "stored_state_adam"}
    for check_id in ("adagrad", "adagrad_hidden", "stored_state_adagrad"):
        assert named(result, check_id) == ("optim_adagrad_cache_replaced",), check_id
    for check_id in ("adam", "adam_hidden", "stored_state_adam"):
        assert named(result, check_id) == ("optim_adam_corrected_moments_stored",), check_id


def test_adam_betas_hard_coded_are_named(tmp_path):
    adam = LECTURE["adam"].replace('b1, b2 = config["beta1"], config["beta2"]', "b1, b2 = 0.9, 0.999")
    assert adam != LECTURE["adam"]
    result = grade(tmp_path, submission(adam=adam))
    assert failed_ids(result) == {"adam", "adam_hidden"}
    assert mistakes_named(result) == {"optim_adam_betas_hard_coded"}
    assert_state_kept(result, "adam", "optim_adam_betas_hard_coded")


NOT_CARRIED = {
    "sgd_momentum": '''
        def sgd_momentum(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            config["velocity"] = np.zeros_like(w)
            config["velocity"] = config["momentum"] * config["velocity"] - config["learning_rate"] * dw
            return w + config["velocity"], config
        ''',
    "adam": LECTURE["adam"].replace('config.setdefault("m", np.zeros_like(w))', 'config["m"] = np.zeros_like(w)')
                           .replace('config.setdefault("v", np.zeros_like(w))', 'config["v"] = np.zeros_like(w)'),
}


def test_state_reset_at_every_call_is_not_taken_for_state_not_stored(tmp_path):
    """Stored but reset to zeros at each call: the same steps as a state never stored; the state it stores
    (the last step's) tells them apart."""
    assert NOT_CARRIED["adam"] != LECTURE["adam"]
    result = grade(tmp_path, submission(**NOT_CARRIED))
    assert failed_ids(result) == {"sgd_momentum", "sgd_momentum_hidden", "stored_state_sgd_momentum",
                                  "adam", "adam_hidden", "stored_state_adam"}
    assert mistakes_named(result) == {"optim_state_not_carried"}
    assert ex5.MISTAKES["optim_state_not_carried"].en in result.check("stored_state_adam").text("en")


def test_rmsprop_cache_in_a_local_variable_is_named_not_stored(tmp_path):
    rmsprop = '''
        def rmsprop(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-3)
            config.setdefault("decay_rate", 0.9)
            config.setdefault("epsilon", 1e-7)
            cache = config.get("cache", np.zeros_like(w))
            cache = config["decay_rate"] * cache + (1 - config["decay_rate"]) * dw**2
            return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
        '''
    result = grade(tmp_path, submission(rmsprop=rmsprop))
    assert failed_ids(result) == {"rmsprop", "rmsprop_hidden", "stored_state_rmsprop"}
    assert mistakes_named(result) == {"optim_state_not_stored"}


def test_adam_epsilon_inside_the_root_with_textbook_correction_is_named(tmp_path):
    adam = LECTURE["adam"].replace("(np.sqrt(v_hat) + config[\"epsilon\"])", "np.sqrt(v_hat + config[\"epsilon\"])")
    assert adam != LECTURE["adam"]
    result = grade(tmp_path, submission(adam=adam))
    assert failed_ids(result) == {"adam", "adam_hidden"}
    assert mistakes_named(result) == {"optim_adam_eps_inside_sqrt"}
    assert ex5.MISTAKES["optim_adam_eps_inside_sqrt"].es in result.check("adam").text("es")


def test_keras_epsilon_hat_adam_and_epsilon_inside_the_root_of_rmsprop_keep_full_marks(tmp_path):
    """Both correct ε placements: Adam's ε̂ form (bias correction in the step size) and ε inside the root of
    AdaGrad/RMSprop (Keras'), written differently from KERAS."""
    adam = '''
        def adam(w, dw, config=None):
            config = {} if config is None else config
            lr = config.setdefault("learning_rate", 1e-3)
            b1 = config.setdefault("beta1", 0.9)
            b2 = config.setdefault("beta2", 0.999)
            eps_hat = config.setdefault("epsilon", 1e-7)
            config["t"] = t = config.get("t", 0) + 1
            config["m"] = m = b1 * config.get("m", 0 * w) + (1 - b1) * dw
            config["v"] = v = b2 * config.get("v", 0 * w) + (1 - b2) * (dw * dw)
            lr_t = lr * (1 - b2**t) ** 0.5 / (1 - b1**t)
            return w - lr_t * m / (v**0.5 + eps_hat), config
        '''
    rmsprop = LECTURE["rmsprop"].replace("(np.sqrt(config[\"cache\"]) + config[\"epsilon\"])",
                                         "np.sqrt(config[\"cache\"] + config[\"epsilon\"])")
    assert rmsprop != LECTURE["rmsprop"]
    assert_full_marks(grade(tmp_path, submission(adam=adam, rmsprop=rmsprop)))


def test_the_gradient_applied_twice_is_named(tmp_path):
    sgd = '''
        def sgd(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-2)
            w -= config["learning_rate"] * dw
            return w - config["learning_rate"] * dw, config
        '''
    momentum = LECTURE["sgd_momentum"].replace("return w + v, config",
                                               'return w + v - config["learning_rate"] * dw, config')
    assert momentum != LECTURE["sgd_momentum"]
    result = grade(tmp_path, submission(sgd=sgd, sgd_momentum=momentum))
    assert failed_ids(result) == {"sgd", "sgd_hidden", "sgd_momentum", "sgd_momentum_hidden"}
    assert mistakes_named(result) == {"optim_gradient_applied_twice"}


@pytest.mark.parametrize("form", ["ema_of_gradients", "ema_of_steps"])
def test_momentum_as_a_moving_average_is_named_in_both_forms(tmp_path, form):
    """v = mu*v + (1-mu)*dw; w -= lr*v and v = mu*v - (1-mu)*lr*dw; w += v take the same steps; the first stores
    a velocity no mistake stores (in gradient units, as PyTorch's): its stored-state check fails and names the
    mistake its steps show; the second stores the mistake's own velocity: that check keeps its points."""
    if form == "ema_of_gradients":
        body = '''
            v = config["momentum"] * config.get("velocity", np.zeros_like(w)) + (1 - config["momentum"]) * dw
            config["velocity"] = v
            return w - config["learning_rate"] * v, config
        '''
    else:
        body = '''
            mu = config["momentum"]
            v = mu * config.get("velocity", np.zeros_like(w)) - (1 - mu) * config["learning_rate"] * dw
            config["velocity"] = v
            return w + v, config
        '''
    momentum = '''
        def sgd_momentum(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
    ''' + body
    result = grade(tmp_path, submission(sgd_momentum=textwrap.dedent(momentum)))
    rule_ids = {"sgd_momentum", "sgd_momentum_hidden"}
    if form == "ema_of_gradients":
        assert failed_ids(result) == {*rule_ids, "stored_state_sgd_momentum"}
    else:
        assert failed_ids(result) == rule_ids
        assert_state_kept(result, "sgd_momentum", "optim_momentum_moving_average")
    for check_id in failed_ids(result):
        assert named(result, check_id) == ("optim_momentum_moving_average",), check_id


def test_a_right_velocity_subtracted_is_not_taken_for_momentum_climbing(tmp_path):
    """w -= velocity with the course's velocity takes the steps of velocity = mu*velocity + lr*dw; w += velocity,
    but stores the right velocity: only the rule fails, named as what it is."""
    momentum = LECTURE["sgd_momentum"].replace("return w + v, config", "return w - v, config")
    result = grade(tmp_path, submission(sgd_momentum=momentum))
    assert failed_ids(result) == {"sgd_momentum", "sgd_momentum_hidden"}
    assert mistakes_named(result) == {"optim_momentum_step_subtracted"}


def test_adaptive_rules_without_square_root_epsilon_or_square_are_named(tmp_path):
    adagrad = LECTURE["adagrad"].replace("(np.sqrt(config[\"cache\"]) + config[\"epsilon\"])",
                                         "(config[\"cache\"] + config[\"epsilon\"])")
    rmsprop = LECTURE["rmsprop"].replace("(np.sqrt(config[\"cache\"]) + config[\"epsilon\"])",
                                         "(np.sqrt(config[\"cache\"]) + 1e-8)")
    adam = LECTURE["adam"].replace("(1 - b2) * dw**2", "(1 - b2) * dw")
    assert adagrad != LECTURE["adagrad"] and rmsprop != LECTURE["rmsprop"] and adam != LECTURE["adam"]
    result = grade(tmp_path, submission(adagrad=adagrad, rmsprop=rmsprop, adam=adam))
    for check_id in ("adagrad", "adagrad_hidden"):
        assert named(result, check_id) == ("optim_no_sqrt",)
    for check_id in ("rmsprop", "rmsprop_hidden"):  # ε written as 1e-8 is ε left out at these scales
        assert named(result, check_id) == ("optim_no_epsilon",)
    for check_id in ("adam", "adam_hidden"):
        assert named(result, check_id) == ("optim_grad_not_squared",)
    assert failed_ids(result) == {"adagrad", "adagrad_hidden", "rmsprop", "rmsprop_hidden", "adam", "adam_hidden"}
    assert_state_kept(result, "adam", "optim_grad_not_squared")  # v holds what its rule computes


def test_rmsprop_weights_swapped_and_adam_betas_swapped_are_named(tmp_path):
    rmsprop = LECTURE["rmsprop"].replace("rho * config[\"cache\"] + (1 - rho) * dw**2",
                                         "(1 - rho) * config[\"cache\"] + rho * dw**2")
    adam = LECTURE["adam"].replace('b1, b2 = config["beta1"], config["beta2"]',
                                   'b1, b2 = config["beta2"], config["beta1"]')
    assert rmsprop != LECTURE["rmsprop"] and adam != LECTURE["adam"]
    result = grade(tmp_path, submission(rmsprop=rmsprop, adam=adam))
    assert failed_ids(result) == {"rmsprop", "rmsprop_hidden", "adam", "adam_hidden"}
    assert {named(result, i) for i in ("rmsprop", "rmsprop_hidden")} == {("optim_rmsprop_decay_swapped",)}
    assert {named(result, i) for i in ("adam", "adam_hidden")} == {("optim_adam_betas_swapped",)}
    assert_state_kept(result, "rmsprop", "optim_rmsprop_decay_swapped")
    assert_state_kept(result, "adam", "optim_adam_betas_swapped")


def test_cs231n_defaults_of_rmsprop_are_named(tmp_path):
    rmsprop = (LECTURE["rmsprop"].replace('config.setdefault("learning_rate", 1e-3)',
                                          'config.setdefault("learning_rate", 1e-2)')
               .replace('config.setdefault("decay_rate", 0.9)', 'config.setdefault("decay_rate", 0.99)'))
    result = grade(tmp_path, submission(rmsprop=rmsprop))
    assert failed_ids(result) == {"defaults_rmsprop"}
    assert named(result, "defaults_rmsprop") == ("optim_adaptive_default_learning_rate",
                                                 "optim_rmsprop_default_decay_rate")  # both, each said
    message = result.check("defaults_rmsprop").text("en")
    assert "expected 0.001, got 0.01" in message and "expected 0.9, got 0.99" in message
