"""Prove ``reference_impl.optimizers`` against Keras' optimizers (SPEC, ex5).

Every comparison is made on the *displacement* ``w_t − w_0`` of a 100-step
trajectory (weights (4, 3), float64, a fixed N(0, 1) gradient sequence):

    |Δ_ref − Δ_keras| ≤ rtol·|Δ_keras| + rtol·max|Δ_keras|

which is stricter than comparing the weights themselves (|Δ| ≪ |w|) and is
the SPEC's ``atol + rtol·|b|`` rule with the atol scaled to the array.

Tolerances
* float32-exact hyper-parameters (powers of two): rtol 1e-10. Keras keeps
  them in float32, but these values round-trip exactly, so only float64
  rounding remains (measured ≤ 1.7e-15).
* SPEC defaults: Keras rounds the learning rate (a float32 variable) and,
  through ``ops.cast(python_float, "float64")``, momentum and Adam's β1/β2
  (only where it casts them: SGD's momentum, Adam's ``β**t``) to float32.
  The resulting relative error of the displacement is bounded by
  ``δlr/lr`` (≈ 4.7e-8), plus ``δμ/(1−μ)`` (≈ 2.4e-7) for momentum rules,
  plus ``½·δβ2/(1−β2) + δβ1/(1−β1)`` (≈ 6.7e-6) for Adam, δ being the float32
  rounding error. The tolerance of each rule is about twice its bound
  (``RTOL_DEFAULTS``).
* lecture form vs the SPEC formulas written out here by hand: rtol 1e-12.
"""
import re

import numpy as np
import pytest

from reference_impl.keras_builders import keras_optimizer, keras_trajectory, run_optimizer
from reference_impl.optimizers import DEFAULTS, FORMS, STATE_KEYS, trajectory

pytestmark = pytest.mark.keras

RULES = ["sgd", "sgd_momentum", "sgd_nesterov", "adagrad", "rmsprop", "adam"]
ADAPTIVE = ["adagrad", "rmsprop", "adam"]
N_STEPS = 100
SHAPE = (4, 3)

#: hyper-parameters that float32 represents exactly, so Keras sees the same values.
EXACT = {
    "sgd": {"learning_rate": 2**-6},
    "sgd_momentum": {"learning_rate": 2**-6, "momentum": 0.875},
    "sgd_nesterov": {"learning_rate": 2**-6, "momentum": 0.875},
    "adagrad": {"learning_rate": 2**-6, "epsilon": 2**-20},
    "rmsprop": {"learning_rate": 2**-6, "decay_rate": 0.875, "epsilon": 2**-20},
    "adam": {"learning_rate": 2**-6, "beta1": 0.875, "beta2": 1 - 2**-10, "epsilon": 2**-20},
}

RTOL_EXACT = 1e-10
RTOL_HAND = 1e-12
#: about twice the float32-rounding bound derived in the module docstring
#: (measured: 2.2e-8, 2.4e-7, 2.4e-7, 4.7e-8, 4.7e-8, 6.2e-6).
RTOL_DEFAULTS = {
    "sgd": 1e-7,
    "sgd_momentum": 6e-7,
    "sgd_nesterov": 6e-7,
    "adagrad": 1e-7,
    "rmsprop": 1e-7,
    "adam": 1.5e-5,
}


@pytest.fixture
def problem():
    """w0 (4, 3) and 100 gradients, fixed seed."""
    rng = np.random.default_rng(5)
    return rng.standard_normal(SHAPE), rng.standard_normal((N_STEPS, *SHAPE))


def keras_form(rule):
    return FORMS[rule].get("keras", FORMS[rule]["lecture"])


def displacement_error(ws, ref_ws, w0):
    """max |Δ − Δ_ref| / max |Δ_ref|, Δ = trajectory − w0."""
    d, d_ref = ws - w0, ref_ws - w0
    return float(np.max(np.abs(d - d_ref)) / np.max(np.abs(d_ref)))


def assert_trajectories_close(ws, ref_ws, w0, rtol):
    d_ref = ref_ws - w0
    np.testing.assert_allclose(ws - w0, d_ref, rtol=rtol, atol=rtol * np.max(np.abs(d_ref)))


def hand_lecture(rule, w0, grads, cfg):
    """The SPEC's lecture formulas, written out (no reference code).

    Returns (trajectory, final state dict).
    """
    lr = cfg["learning_rate"]
    w = np.array(w0, dtype=np.float64)
    velocity = np.zeros_like(w)
    cache = np.zeros_like(w)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    t = 0
    ws = [w.copy()]
    for g in grads:
        if rule == "sgd":
            w = w - lr * g
        elif rule == "sgd_momentum":
            mu = cfg["momentum"]
            velocity = mu * velocity - lr * g
            w = w + velocity
        elif rule == "sgd_nesterov":
            mu = cfg["momentum"]
            velocity = mu * velocity - lr * g
            w = w + mu * velocity - lr * g
        elif rule == "adagrad":
            cache = cache + g**2
            w = w - lr * g / (np.sqrt(cache) + cfg["epsilon"])
        elif rule == "rmsprop":
            rho = cfg["decay_rate"]
            cache = rho * cache + (1 - rho) * g**2
            w = w - lr * g / (np.sqrt(cache) + cfg["epsilon"])
        elif rule == "adam":
            b1, b2 = cfg["beta1"], cfg["beta2"]
            t += 1
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g**2
            m_hat = m / (1 - b1**t)
            v_hat = v / (1 - b2**t)
            w = w - lr * m_hat / (np.sqrt(v_hat) + cfg["epsilon"])
        ws.append(w.copy())
    state = {"velocity": velocity, "cache": cache, "m": m, "v": v, "t": t}
    return np.stack(ws), {k: state[k] for k in STATE_KEYS[rule]}


# --------------------------------------------------------------------------
# Agreement with Keras
# --------------------------------------------------------------------------

@pytest.mark.parametrize("rule", RULES)
def test_keras_form_matches_keras_float32_exact(keras, problem, rule):
    """(a) power-of-two hyper-parameters: the Keras form equals Keras to rtol 1e-10."""
    w0, grads = problem
    ref, _ = trajectory(keras_form(rule), w0, grads, dict(EXACT[rule]))
    got = keras_trajectory(rule, dict(EXACT[rule]), w0, grads)
    assert got.shape == ref.shape == (N_STEPS + 1, *SHAPE)
    assert_trajectories_close(ref, got, w0, RTOL_EXACT)


@pytest.mark.parametrize("rule", RULES)
def test_keras_form_matches_keras_at_spec_defaults(keras, problem, rule):
    """(b) config=None for the reference, the SPEC defaults for Keras: agree to RTOL_DEFAULTS[rule]."""
    w0, grads = problem
    ref, cfg = trajectory(keras_form(rule), w0, grads, None)
    for key, value in DEFAULTS[rule].items():
        assert cfg[key] == value
    got = keras_trajectory(rule, dict(DEFAULTS[rule]), w0, grads)
    assert_trajectories_close(ref, got, w0, RTOL_DEFAULTS[rule])


@pytest.mark.parametrize("rule", ADAPTIVE)
def test_lecture_form_differs_from_keras(keras, problem, rule):
    """(c) the lecture form is a different rule: it misses Keras by far more than RTOL_EXACT.

    ε (2**-20) outside vs inside the root, bias correction on the moments vs
    on the step size: measured displacement errors 2.6e-5 (adagrad), 1.3e-4
    (rmsprop), 2.9e-5 (adam). Asserted: > 1e4·RTOL_EXACT = 1e-6, and the
    rtol-1e-10 comparison used in (a) fails — so a swap of forms is caught.
    """
    w0, grads = problem
    lecture, _ = trajectory(FORMS[rule]["lecture"], w0, grads, dict(EXACT[rule]))
    got = keras_trajectory(rule, dict(EXACT[rule]), w0, grads)
    assert displacement_error(lecture, got, w0) > 1e4 * RTOL_EXACT
    with pytest.raises(AssertionError):
        assert_trajectories_close(lecture, got, w0, RTOL_EXACT)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("setting", ["exact", "defaults"])
def test_lecture_form_equals_hand_written_spec_formula(problem, rule, setting):
    """(c) each lecture form equals the SPEC formula written out by hand, to rtol 1e-12."""
    w0, grads = problem
    cfg = dict(EXACT[rule]) if setting == "exact" else None
    ref, state = trajectory(FORMS[rule]["lecture"], w0, grads, cfg)
    hand, hand_state = hand_lecture(rule, w0, grads, EXACT[rule] if setting == "exact" else DEFAULTS[rule])
    assert_trajectories_close(ref, hand, w0, RTOL_HAND)
    for key, value in hand_state.items():
        np.testing.assert_allclose(state[key], value, rtol=RTOL_HAND)


@pytest.mark.parametrize("rule", RULES)
def test_keras_optimizer_maps_hyper_parameters(keras, rule):
    """keras_optimizer builds the right class with each hyper-parameter in its place."""
    opt = keras_optimizer(rule, dict(EXACT[rule]))
    expected_cls = {"sgd": "SGD", "sgd_momentum": "SGD", "sgd_nesterov": "SGD",
                    "adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam"}[rule]
    assert type(opt).__name__ == expected_cls
    cfg = opt.get_config()
    names = {"learning_rate": "learning_rate", "momentum": "momentum", "decay_rate": "rho",
             "epsilon": "epsilon", "beta1": "beta_1", "beta2": "beta_2"}
    for key, value in EXACT[rule].items():
        assert cfg[names[key]] == value, key
    if rule.startswith("sgd"):
        assert cfg["nesterov"] is (rule == "sgd_nesterov")
        assert cfg["momentum"] == EXACT[rule].get("momentum", 0.0)


def test_adagrad_zero_start_not_keras_default(keras, problem):
    """keras_optimizer starts AdaGrad's accumulator at 0 (the SPEC), not at Keras' default 0.1.

    With Keras' default the trajectory differs, and it equals the reference
    started from cache = 0.1 — so the zero start is what is being matched.
    """
    w0, grads = problem
    cfg = EXACT["adagrad"]
    assert keras_optimizer("adagrad", dict(cfg)).get_config()["initial_accumulator_value"] == 0.0
    default_opt = keras.optimizers.Adagrad(learning_rate=cfg["learning_rate"], epsilon=cfg["epsilon"])
    assert default_opt.get_config()["initial_accumulator_value"] == pytest.approx(0.1)

    keras_default = run_optimizer(default_opt, w0, grads)
    ref_zero, _ = trajectory(FORMS["adagrad"]["keras"], w0, grads, dict(cfg))
    assert displacement_error(keras_default, ref_zero, w0) > 1e-3

    # Keras' default equals the reference from cache = 0.1. Keras fills the
    # float64 accumulator with 0.1 rounded to float32 (0.10000000149011612):
    # from that value the agreement is float64-exact (measured 0.0; rtol 1e-10),
    # from float64 0.1 it is 7.3e-10.
    start = float(np.float32(0.1))
    ref_01, _ = trajectory(FORMS["adagrad"]["keras"], w0, grads, dict(cfg, cache=np.full(SHAPE, start)))
    assert_trajectories_close(keras_default, ref_01, w0, RTOL_EXACT)


# --------------------------------------------------------------------------
# State handling (reference only)
# --------------------------------------------------------------------------

ALL_FORMS = [(rule, form) for rule in RULES for form in FORMS[rule]]

#: non-default values for every hyper-parameter.
CUSTOM = {
    "sgd": {"learning_rate": 0.25},
    "sgd_momentum": {"learning_rate": 0.25, "momentum": 0.5},
    "sgd_nesterov": {"learning_rate": 0.25, "momentum": 0.5},
    "adagrad": {"learning_rate": 0.25, "epsilon": 0.125},
    "rmsprop": {"learning_rate": 0.25, "decay_rate": 0.5, "epsilon": 0.125},
    "adam": {"learning_rate": 0.25, "beta1": 0.5, "beta2": 0.75, "epsilon": 0.125},
}


@pytest.mark.parametrize("rule, form", ALL_FORMS)
def test_config_passed_in_wins_over_defaults(problem, rule, form):
    """Explicit hyper-parameters are kept (setdefault), and change the result."""
    w0, grads = problem
    update = FORMS[rule][form]
    cfg = dict(CUSTOM[rule])
    ws, out = trajectory(update, w0, grads[:5], cfg)
    for key, value in CUSTOM[rule].items():
        assert out[key] == value
    ws_default, _ = trajectory(update, w0, grads[:5], None)
    assert not np.allclose(ws, ws_default, rtol=1e-3)
    if form == "lecture":
        hand, _ = hand_lecture(rule, w0, grads[:5], CUSTOM[rule])
        assert_trajectories_close(ws, hand, w0, RTOL_HAND)


@pytest.mark.parametrize("rule, form", ALL_FORMS)
def test_partial_config_gets_remaining_defaults(problem, rule, form):
    w0, grads = problem
    _, cfg = FORMS[rule][form](w0.copy(), grads[0].copy(), {"learning_rate": 0.125})
    assert cfg["learning_rate"] == 0.125
    for key, value in DEFAULTS[rule].items():
        if key != "learning_rate":
            assert cfg[key] == value


@pytest.mark.parametrize("rule, form", ALL_FORMS)
@pytest.mark.parametrize("n_steps", [1, 7, 100])
def test_state_written_back_and_t_counts_steps(problem, rule, form, n_steps):
    w0, grads = problem
    _, cfg = trajectory(FORMS[rule][form], w0, grads[:n_steps], None)
    for key in STATE_KEYS[rule]:
        assert key in cfg, key
        if key == "t":
            assert cfg["t"] == n_steps
        else:
            assert np.shape(cfg[key]) == SHAPE
    if form == "lecture":
        _, hand_state = hand_lecture(rule, w0, grads[:n_steps], DEFAULTS[rule])
        for key, value in hand_state.items():
            np.testing.assert_allclose(cfg[key], value, rtol=RTOL_HAND)


def test_first_state_values_are_hand_values(problem):
    """After one step from zero state: velocity = −lr·g, cache = g² (AdaGrad), (1−ρ)g² (RMSprop),
    m = (1−β1)g, v = (1−β2)g², t = 1."""
    w0, g = problem[0], problem[1][0]
    _, c = FORMS["sgd_momentum"]["lecture"](w0.copy(), g.copy(), dict(CUSTOM["sgd_momentum"]))
    np.testing.assert_allclose(c["velocity"], -0.25 * g, rtol=1e-15)
    _, c = FORMS["adagrad"]["lecture"](w0.copy(), g.copy(), dict(CUSTOM["adagrad"]))
    np.testing.assert_allclose(c["cache"], g**2, rtol=1e-15)
    _, c = FORMS["rmsprop"]["lecture"](w0.copy(), g.copy(), dict(CUSTOM["rmsprop"]))
    np.testing.assert_allclose(c["cache"], 0.5 * g**2, rtol=1e-15)
    _, c = FORMS["adam"]["lecture"](w0.copy(), g.copy(), dict(CUSTOM["adam"]))
    np.testing.assert_allclose(c["m"], 0.5 * g, rtol=1e-15)
    np.testing.assert_allclose(c["v"], 0.25 * g**2, rtol=1e-15)
    assert c["t"] == 1


@pytest.mark.parametrize("form", ["lecture", "keras"])
def test_adam_t_incremented_before_use(problem, form):
    """First Adam step uses t = 1 in the bias correction (t = 0 would divide by zero).

    From zero moments: m = (1−β1)g, v = (1−β2)g², so by hand
    lecture: m̂ = g, v̂ = g², w1 = w0 − lr·g/(|g| + ε);
    Keras:   α = lr·√(1−β2)/(1−β1), w1 = w0 − lr·g/(|g| + ε/√(1−β2)).
    """
    w0, g = problem[0], problem[1][0]
    cfg = dict(CUSTOM["adam"])
    lr, eps, b2 = cfg["learning_rate"], cfg["epsilon"], cfg["beta2"]
    w1, out = FORMS["adam"][form](w0.copy(), g.copy(), cfg)
    if form == "lecture":
        expected = w0 - lr * g / (np.abs(g) + eps)
    else:
        expected = w0 - lr * g / (np.abs(g) + eps / np.sqrt(1 - b2))
    np.testing.assert_allclose(w1, expected, rtol=RTOL_HAND)
    assert out["t"] == 1


@pytest.mark.parametrize("rule, form", ALL_FORMS)
def test_returned_config_is_carried_into_next_call(problem, rule, form):
    """Two calls carrying the config equal a 2-step trajectory; an explicit zero state (t = 0)
    equals config=None; restarting from a fresh config loses the state (for stateful rules)."""
    w0, grads = problem
    update = FORMS[rule][form]
    w1, cfg = update(w0.copy(), grads[0].copy(), None)
    w2, cfg = update(np.array(w1), grads[1].copy(), cfg)
    ws, _ = trajectory(update, w0, grads[:2], None)
    np.testing.assert_allclose(w2, ws[2], rtol=1e-15)

    zero_state = dict(DEFAULTS[rule])
    for key in STATE_KEYS[rule]:
        zero_state[key] = 0 if key == "t" else np.zeros(SHAPE)
    ws_zero, _ = trajectory(update, w0, grads[:10], zero_state)
    ws_none, _ = trajectory(update, w0, grads[:10], None)
    np.testing.assert_allclose(ws_zero, ws_none, rtol=1e-15)

    w2_fresh, _ = update(np.array(w1), grads[1].copy(), None)
    if STATE_KEYS[rule]:
        assert not np.allclose(w2_fresh, w2, rtol=1e-6)
    else:
        np.testing.assert_allclose(w2_fresh, w2, rtol=1e-15)


def test_explicit_state_is_used(problem):
    """A velocity passed in is the starting velocity: v1 = μ·v0 − lr·g."""
    w0, g = problem[0], problem[1][0]
    v0 = np.ones(SHAPE)
    w1, cfg = FORMS["sgd_momentum"]["lecture"](w0.copy(), g.copy(), dict(CUSTOM["sgd_momentum"], velocity=v0))
    np.testing.assert_allclose(cfg["velocity"], 0.5 * v0 - 0.25 * g, rtol=1e-15)
    np.testing.assert_allclose(w1, w0 + 0.5 * v0 - 0.25 * g, rtol=1e-15)


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------

BAD = [
    ("sgd", "learning_rate", -0.5),
    ("sgd_momentum", "learning_rate", -0.01),
    ("sgd_momentum", "momentum", 1.5),
    ("sgd_nesterov", "momentum", 1.5),
    ("sgd_nesterov", "momentum", -0.25),
    ("adagrad", "epsilon", -1e-8),
    ("rmsprop", "decay_rate", 1.5),
    ("adam", "beta1", 1.5),
    ("adam", "beta2", 1.0),
    ("adam", "learning_rate", -0.001),
]


@pytest.mark.parametrize("rule, key, value", BAD)
def test_bad_hyper_parameter_raises_with_value(problem, rule, key, value):
    w0, grads = problem
    for update in FORMS[rule].values():
        with pytest.raises(ValueError, match=re.escape(repr(value))) as info:
            update(w0.copy(), grads[0].copy(), {key: value})
        assert key in str(info.value)


def test_shape_mismatch_raises(problem):
    w0, grads = problem
    with pytest.raises(ValueError, match=r"\(4, 3\)"):
        FORMS["sgd"]["lecture"](w0, grads[0][:, :2])
