"""ex4 (weight decay): correct-but-different submissions keep full marks; realistic wrong
ones lose exactly the checks of their error, with the error named.

Every submission here is written as a student would write it and graded in the
sandbox with the hidden checks (``grade_file(..., hidden=True)``).
"""
import textwrap

import pytest

from autograder import registry
from autograder.exercises import ex4
from autograder.grading import grade_file

FULL = registry.get("ex4").points

# A plain, correct student solution; the tests below append redefinitions to it
# (a later ``def`` replaces the earlier one, as in a notebook run top to bottom).
BASE = '''
import numpy as np

def l2_penalty(weights, lam):
    total = 0.0
    for W in weights:
        total += np.sum(W * W)
    return lam * total

def l2_grad(W, lam):
    return 2 * lam * W

def sgd_weight_decay_step(W, dW, eta, lam):
    return W * (1 - 2 * eta * lam) - eta * dW

def l1_penalty(weights, lam):
    return lam * sum(np.abs(W).sum() for W in weights)

def sgd_l1_step(W, dW, eta, lam):
    return W - eta * lam * np.sign(W) - eta * dW

def regularized_update(params, grads, eta, lam):
    new = []
    for (W, b), (dW, db) in zip(params, grads):
        new.append((sgd_weight_decay_step(W, dW, eta, lam), b - eta * db))
    return new
'''


def grade(tmp_path, *overrides, name="submission.py", lang="en"):
    path = tmp_path / name
    path.write_text(BASE + "".join("\n" + textwrap.dedent(o) for o in overrides), encoding="utf-8")
    result = grade_file("ex4", path, hidden=True, lang=lang)
    assert result.error is None, result.error
    return result


def failed(result):
    return {c.name for c in result.checks if not c.passed}


def by_name(result, name):
    return next(c for c in result.checks if c.name == name)


def test_base_submission_gets_full_marks(tmp_path):
    result = grade(tmp_path)
    assert failed(result) == set()
    assert sum(c.points for c in result.checks) == FULL


# ------------------------------------------------------------------ correct but different
DIFFERENT = {
    "loops everywhere": '''
        def l2_penalty(weights, lam):
            s = 0.0
            for W in weights:
                for i in range(W.shape[0]):
                    for j in range(W.shape[1]):
                        s += W[i, j] ** 2
            return lam * s

        def l2_grad(W, lam):
            out = np.zeros_like(W)
            for i in range(W.shape[0]):
                for j in range(W.shape[1]):
                    out[i, j] = 2 * lam * W[i, j]
            return out

        def l1_penalty(weights, lam):
            s = 0.0
            for W in weights:
                for w in W.ravel():
                    s += abs(w)
            return lam * s

        def sgd_l1_step(W, dW, eta, lam):
            out = W.copy()
            for i in range(W.shape[0]):
                for j in range(W.shape[1]):
                    sign = 1.0 if W[i, j] > 0 else (-1.0 if W[i, j] < 0 else 0.0)
                    out[i, j] = W[i, j] - eta * lam * sign - eta * dW[i, j]
            return out
    ''',
    "norms, vdot and the gradient written out": '''
        def l2_penalty(weights, lam):
            return lam * sum(np.linalg.norm(W) ** 2 for W in weights)

        def l1_penalty(weights, lam):
            return lam * sum(np.linalg.norm(W.ravel(), 1) for W in weights)

        def sgd_weight_decay_step(W, dW, eta, lam):
            return W - eta * (dW + l2_grad(W, lam))

        def regularized_update(params, grads, eta, lam):
            return [(W - eta * (dW + 2 * lam * W), b - eta * db) for (W, b), (dW, db) in zip(params, grads)]
    ''',
    "penalties as np.float64 and 0-d arrays": '''
        def l2_penalty(weights, lam):
            return np.asarray(lam * np.sum([np.vdot(W, W) for W in weights]))

        def l1_penalty(weights, lam):
            return np.float64(lam) * np.float64(sum(np.sum(np.abs(W)) for W in weights))
    ''',
    "penalties as 1x1 arrays, steps in float32": '''
        def l2_penalty(weights, lam):
            return lam * np.array([[sum((W ** 2).sum() for W in weights)]])

        def sgd_weight_decay_step(W, dW, eta, lam):
            return (W * (1 - 2 * eta * lam) - eta * dW).astype(np.float32)

        def sgd_l1_step(W, dW, eta, lam):
            return (W - eta * lam * np.sign(W) - eta * dW).astype(np.float32)
    ''',
    "sign by np.where with sign(0) = 0": '''
        def sgd_l1_step(W, dW, eta, lam):
            sign = np.where(W > 0, 1.0, np.where(W < 0, -1.0, 0.0))
            return W - eta * lam * sign - eta * dW
    ''',
    "in-place update returning the same list": '''
        def sgd_weight_decay_step(W, dW, eta, lam):
            W *= 1 - 2 * eta * lam
            W -= eta * dW
            return W

        def sgd_l1_step(W, dW, eta, lam):
            W -= eta * lam * np.sign(W) + eta * dW
            return W

        def regularized_update(params, grads, eta, lam):
            for (W, b), (dW, db) in zip(params, grads):
                W *= 1 - 2 * eta * lam
                W -= eta * dW
                b -= eta * db
            return params
    ''',
    "pairs as lists": '''
        def regularized_update(params, grads, eta, lam):
            return [[W * (1 - 2 * eta * lam) - eta * dW, b - eta * db] for (W, b), (dW, db) in zip(params, grads)]
    ''',
    "a tuple of tuples, by index": '''
        def regularized_update(params, grads, eta, lam):
            out = []
            for k in range(len(params)):
                W, b = params[k]
                dW, db = grads[k]
                out.append((sgd_weight_decay_step(W, dW, eta, lam), b - eta * db))
            return tuple(out)
    ''',
}


@pytest.mark.parametrize("label", list(DIFFERENT))
def test_correct_but_different_keeps_full_marks(tmp_path, label):
    result = grade(tmp_path, DIFFERENT[label])
    assert failed(result) == set(), [(c.name, c.message) for c in result.checks if not c.passed]
    assert sum(c.points for c in result.checks) == FULL


# ------------------------------------------------------------------ realistic wrong submissions
UPDATE_CHECKS = {"regularized_update: fixtures", "regularized_update (hidden): fresh inputs"}
STRUCTURE = "regularized_update: (W, b) pairs shaped like params; biases take b − η db"
LAM_ZERO = "regularized_update: with lam = 0 it is plain SGD"
L2_CHECKS = {"l2_penalty: fixtures", "l2_penalty (hidden): fresh inputs"}
GRAD_CHECKS = {"l2_grad: fixtures", "l2_grad: matches centered differences of your l2_penalty",
               "l2_grad (hidden): fresh inputs"}
STEP_CHECKS = {"sgd_weight_decay_step: fixtures", "sgd_weight_decay_step (hidden): fresh inputs"}
L1_CHECKS = {"l1_penalty: fixtures", "l1_penalty (hidden): fresh inputs"}
L1_STEP_CHECKS = {"sgd_l1_step: fixtures (W with exact zeros)", "sgd_l1_step (hidden): fresh inputs"}

WRONG = {
    # name: (override, checks it must lose, mistake ids that must be named in each of them)
    "decays the biases with the weight step": ('''
        def regularized_update(params, grads, eta, lam):
            out = []
            for (W, b), (dW, db) in zip(params, grads):
                out.append((sgd_weight_decay_step(W, dW, eta, lam), sgd_weight_decay_step(b, db, eta, lam)))
            return out
    ''', UPDATE_CHECKS | {STRUCTURE}, ("wd_update_decay_biases",)),
    "decay factor without the 2, in regularized_update only": ('''
        def regularized_update(params, grads, eta, lam):
            return [(W * (1 - eta * lam) - eta * dW, b - eta * db) for (W, b), (dW, db) in zip(params, grads)]
    ''', UPDATE_CHECKS, ("wd_update_decay_factor",)),
    # a wrong update that is not what the student's own (also wrong) step gives: both errors are scored
    "decay after the step in the step, decay factor without the 2 in the update": ('''
        def sgd_weight_decay_step(W, dW, eta, lam):
            return (W - eta * dW) * (1 - 2 * eta * lam)

        def regularized_update(params, grads, eta, lam):
            return [(W * (1 - eta * lam) - eta * dW, b - eta * db) for (W, b), (dW, db) in zip(params, grads)]
    ''', STEP_CHECKS | UPDATE_CHECKS, ("wd_step_decay_after", "wd_update_decay_factor")),
    "decay with a plus sign": ('''
        def sgd_weight_decay_step(W, dW, eta, lam):
            return W + 2 * eta * lam * W - eta * dW

        def regularized_update(params, grads, eta, lam):
            return [(W * (1 - 2 * eta * lam) - eta * dW, b - eta * db) for (W, b), (dW, db) in zip(params, grads)]
    ''', {"sgd_weight_decay_step: fixtures", "sgd_weight_decay_step (hidden): fresh inputs"}, ("wd_step_decay_plus",)),
    "l2 penalty as a norm": ('''
        def l2_penalty(weights, lam):
            return lam * sum(np.sqrt(np.sum(W ** 2)) for W in weights)
    ''', {"l2_penalty: fixtures", "l2_penalty (hidden): fresh inputs"}, ("wd_l2_norm",)),
    "l2 penalty without lam": ('''
        def l2_penalty(weights, lam):
            return sum(np.sum(W ** 2) for W in weights)
    ''', {"l2_penalty: fixtures", "l2_penalty (hidden): fresh inputs"}, ("wd_l2_no_lam",)),
    "half in the penalty and no 2 in the gradient (consistent, both wrong)": ('''
        def l2_penalty(weights, lam):
            return 0.5 * lam * sum(np.sum(W ** 2) for W in weights)

        def l2_grad(W, lam):
            return lam * W
    ''', {"l2_penalty: fixtures", "l2_penalty (hidden): fresh inputs", "l2_grad: fixtures",
          "l2_grad: matches centered differences of your l2_penalty", "l2_grad (hidden): fresh inputs"},
        ("wd_l2_half", "wd_grad_no_two")),
    "l1 penalty squared": ('''
        def l1_penalty(weights, lam):
            return lam * sum(np.sum(np.square(W)) for W in weights)
    ''', {"l1_penalty: fixtures", "l1_penalty (hidden): fresh inputs"}, ("wd_l1_squared",)),
    "l1 step with W instead of sign(W)": ('''
        def sgd_l1_step(W, dW, eta, lam):
            return W - eta * (lam * W + dW)
    ''', {"sgd_l1_step: fixtures (W with exact zeros)", "sgd_l1_step (hidden): fresh inputs"}, ("wd_l1_step_w",)),
    "l1 step with the sign of the gradient": ('''
        def sgd_l1_step(W, dW, eta, lam):
            return W - eta * (lam * np.sign(dW) + dW)
    ''', {"sgd_l1_step: fixtures (W with exact zeros)", "sgd_l1_step (hidden): fresh inputs"}, ("wd_l1_step_sign_dw",)),
    "l1 step with sign = W / |W|": ('''
        def sgd_l1_step(W, dW, eta, lam):
            return W - eta * lam * W / np.abs(W) - eta * dW
    ''', {"sgd_l1_step: fixtures (W with exact zeros)", "sgd_l1_step (hidden): fresh inputs"}, ("wd_l1_step_sign_divide",)),
    "l1 step with sign(0) = +1": ('''
        def sgd_l1_step(W, dW, eta, lam):
            sign = np.where(W >= 0, 1, -1)
            return W - eta * lam * sign - eta * dW
    ''', {"sgd_l1_step: fixtures (W with exact zeros)", "sgd_l1_step (hidden): fresh inputs"}, ("wd_l1_step_sign_at_zero",)),
    "loop rebinds W and b, returns params": ('''
        def regularized_update(params, grads, eta, lam):
            for (W, b), (dW, db) in zip(params, grads):
                W = W * (1 - 2 * eta * lam) - eta * dW
                b = b - eta * db
            return params
    ''', UPDATE_CHECKS | {STRUCTURE, LAM_ZERO}, ("wd_update_unchanged",)),
    "returns only the weights": ('''
        def regularized_update(params, grads, eta, lam):
            return [sgd_weight_decay_step(W, dW, eta, lam) for (W, b), (dW, db) in zip(params, grads)]
    ''', UPDATE_CHECKS | {STRUCTURE, LAM_ZERO}, ("wd_update_weights_only",)),
    # ---- issue 13: the catalogue grown per function
    "l2 penalty with np.mean": ('''
        def l2_penalty(weights, lam):
            return lam * sum(np.mean(W ** 2) for W in weights)
    ''', L2_CHECKS, ("wd_l2_mean",)),
    "l2 penalty loop overwrites its total": ('''
        def l2_penalty(weights, lam):
            total = 0.0
            for W in weights:
                total = np.sum(W ** 2)
            return lam * total
    ''', L2_CHECKS, ("wd_l2_last_only",)),
    "l2 penalty with the gradient's 2": ('''
        def l2_penalty(weights, lam):
            return 2 * lam * sum(np.sum(W ** 2) for W in weights)
    ''', L2_CHECKS, ("wd_l2_double",)),
    "l2 gradient with a minus sign": ('''
        def l2_grad(W, lam):
            return -2 * lam * W
    ''', GRAD_CHECKS, ("wd_grad_sign",)),
    "l2 gradient without lam": ('''
        def l2_grad(W, lam):
            return 2 * W
    ''', GRAD_CHECKS, ("wd_grad_no_lam",)),
    "decay without eta, in regularized_update only": ('''
        def regularized_update(params, grads, eta, lam):
            return [(W - 2 * lam * W - eta * dW, b - eta * db) for (W, b), (dW, db) in zip(params, grads)]
    ''', UPDATE_CHECKS, ("wd_update_decay_no_eta",)),
    "decay applied after the gradient step": ('''
        def sgd_weight_decay_step(W, dW, eta, lam):
            W = W - eta * dW
            return W * (1 - 2 * eta * lam)

        def regularized_update(params, grads, eta, lam):
            return [(W * (1 - 2 * eta * lam) - eta * dW, b - eta * db) for (W, b), (dW, db) in zip(params, grads)]
    ''', STEP_CHECKS, ("wd_step_decay_after",)),
    "step adds the gradient": ('''
        def sgd_weight_decay_step(W, dW, eta, lam):
            return W * (1 - 2 * eta * lam) + eta * dW

        def regularized_update(params, grads, eta, lam):
            return [(W * (1 - 2 * eta * lam) - eta * dW, b - eta * db) for (W, b), (dW, db) in zip(params, grads)]
    ''', STEP_CHECKS, ("wd_step_grad_plus",)),
    "l1 penalty without lam": ('''
        def l1_penalty(weights, lam):
            return sum(np.abs(W).sum() for W in weights)
    ''', L1_CHECKS, ("wd_l1_no_lam",)),
    "l1 penalty loop overwrites its total": ('''
        def l1_penalty(weights, lam):
            for W in weights:
                total = lam * np.sum(np.abs(W))
            return total
    ''', L1_CHECKS, ("wd_l1_last_only",)),
    "l1 step with |W| instead of sign(W)": ('''
        def sgd_l1_step(W, dW, eta, lam):
            return W - eta * lam * np.abs(W) - eta * dW
    ''', L1_STEP_CHECKS, ("wd_l1_step_abs",)),
    "l1 step adds the penalty's gradient": ('''
        def sgd_l1_step(W, dW, eta, lam):
            return W + eta * lam * np.sign(W) - eta * dW
    ''', L1_STEP_CHECKS, ("wd_l1_step_plus",)),
    "l1 step without eta on the penalty": ('''
        def sgd_l1_step(W, dW, eta, lam):
            return W - lam * np.sign(W) - eta * dW
    ''', L1_STEP_CHECKS, ("wd_l1_step_no_eta",)),
    "update ignores lam": ('''
        def regularized_update(params, grads, eta, lam):
            return [(W - eta * dW, b - eta * db) for (W, b), (dW, db) in zip(params, grads)]
    ''', UPDATE_CHECKS, ("wd_update_no_decay",)),
    "update leaves the biases unchanged": ('''
        def regularized_update(params, grads, eta, lam):
            new_params = []
            for (W, b), (dW, db) in zip(params, grads):
                W = sgd_weight_decay_step(W, dW, eta, lam)
                new_params.append((W, b))
            return new_params
    ''', UPDATE_CHECKS | {STRUCTURE, LAM_ZERO}, ("wd_update_bias_not_updated",)),
    "update adds the gradients": ('''
        def regularized_update(params, grads, eta, lam):
            return [(W * (1 - 2 * eta * lam) + eta * dW, b + eta * db) for (W, b), (dW, db) in zip(params, grads)]
    ''', UPDATE_CHECKS | {STRUCTURE, LAM_ZERO}, ("wd_update_grad_plus",)),
    "update takes the l1 step": ('''
        def regularized_update(params, grads, eta, lam):
            return [(sgd_l1_step(W, dW, eta, lam), b - eta * db) for (W, b), (dW, db) in zip(params, grads)]
    ''', UPDATE_CHECKS, ("wd_update_l1",)),
}


@pytest.mark.parametrize("label", list(WRONG))
def test_wrong_submission_loses_exactly_its_checks(tmp_path, label):
    override, lost, named = WRONG[label]
    result = grade(tmp_path, override)
    assert failed(result) == lost
    assert sum(c.points for c in result.checks) == FULL - sum(c.max_points for c in result.checks if c.name in lost)
    for name in lost:
        message = by_name(result, name).message
        assert any(ex4.MISTAKES[m].en in message for m in named), (name, message)


def test_wrong_penalty_does_not_cost_the_gradient_check(tmp_path):
    """A correct l2_grad keeps the centered-differences check when l2_penalty has the ½:
    the check falls back to λΣw² and says so."""
    result = grade(tmp_path, '''
        def l2_penalty(weights, lam):
            return lam / 2 * sum(np.sum(W ** 2) for W in weights)
    ''')
    assert failed(result) == {"l2_penalty: fixtures", "l2_penalty (hidden): fresh inputs"}
    assert ex4.MISTAKES["wd_l2_half"].en in by_name(result, "l2_penalty: fixtures").message
    grad = by_name(result, "l2_grad: matches centered differences of your l2_penalty")
    assert grad.passed and "centered differences of λ Σ w²" in grad.message


def test_gradient_check_uses_the_students_own_penalty(tmp_path):
    """With a correct penalty, l2_grad = λW is judged against the differences of the student's
    own l2_penalty, and the message names the missing 2."""
    result = grade(tmp_path, '''
        def l2_grad(W, lam):
            return lam * W
    ''')
    grad = by_name(result, "l2_grad: matches centered differences of your l2_penalty")
    assert not grad.passed
    assert "your l2_penalty([W], lam)" in grad.message
    assert ex4.MISTAKES["wd_grad_no_two"].en in grad.message


def test_update_with_swapped_pairs_is_told_the_shapes(tmp_path):
    result = grade(tmp_path, '''
        def regularized_update(params, grads, eta, lam):
            return [(b - eta * db, sgd_weight_decay_step(W, dW, eta, lam)) for (W, b), (dW, db) in zip(params, grads)]
    ''')
    assert failed(result) == UPDATE_CHECKS | {STRUCTURE, LAM_ZERO}
    assert "W1 in the result should have the shape of the input W1" in by_name(result, STRUCTURE).message


def test_bias_decay_in_spanish_has_spanish_titles_and_the_mistake_id(tmp_path):
    override = WRONG["decays the biases with the weight step"][0]
    result = grade(tmp_path, override, lang="es")
    check = result.check("regularized_update_structure")
    assert check.id == "ex4.regularized_update_structure" and not check.passed
    assert check.name == STRUCTURE
    assert check.title("es") == "regularized_update: pares (W, b) con la forma de params; los sesgos dan el paso b − η db"
    assert check.message.startswith("b1 (se esperaba b1 − η db1")
    assert ex4.MISTAKES["wd_update_decay_biases"].es in check.message
    assert check.mistakes == ("wd_update_decay_biases",)


def test_targets_name_checks_of_this_exercise():
    ids = {c.id for c in ex4.CHECKS}
    for mistake_id, mistake in ex4.MISTAKES.items():
        assert mistake.id == mistake_id and mistake.targets, mistake_id
        assert set(mistake.targets) <= ids, mistake_id
    assert len(ex4.MISTAKES) >= 30


def test_sgd_l1_fixture_cases_hold_exact_zeros():
    from autograder.cases import public_cases

    cases = public_cases(ex4.L1_STEP)
    assert cases and all((c.inputs["W"] == 0).any() for c in cases)


def test_a_mistake_is_named_in_spanish_with_its_id(tmp_path):
    result = grade(tmp_path, WRONG["update leaves the biases unchanged"][0], lang="es")
    check = result.check("regularized_update_structure")
    assert check.mistakes == ("wd_update_bias_not_updated",)
    assert ex4.MISTAKES["wd_update_bias_not_updated"].es in check.message
    assert result.check("regularized_update").mistakes == ("wd_update_bias_not_updated",)


def test_weights_only_is_not_named_for_pairs_with_wrong_biases(tmp_path):
    """Right weights with wrong biases (in pairs) are not told that the biases were dropped."""
    result = grade(tmp_path, '''
        def regularized_update(params, grads, eta, lam):
            return [(sgd_weight_decay_step(W, dW, eta, lam), b - 2 * eta * db) for (W, b), (dW, db) in zip(params, grads)]
    ''')
    assert "wd_update_weights_only" not in result.check("regularized_update").mistakes
    assert not result.check("regularized_update").passed


# ------------------------------------------------------------------ one error scored once: the update calls a wrong step
OWN_STEP_NOTE = "Correct given your `sgd_weight_decay_step`, which is wrong here ("
OWN_STEP_NOTE_ES = "Correcto con tu `sgd_weight_decay_step`, que aquí falla ("
KEEPS = "this check keeps its points, fix `sgd_weight_decay_step`."
KEEPS_ES = "esta comprobación conserva sus puntos, corrige `sgd_weight_decay_step`."

#: a wrong sgd_weight_decay_step (BASE's regularized_update calls it): its mistake, and whether it is wrong at λ = 0
WRONG_STEPS = {
    "decay applied after the gradient step": ('''
        def sgd_weight_decay_step(W, dW, eta, lam):
            W = W - eta * dW
            return W * (1 - 2 * eta * lam)
    ''', "wd_step_decay_after", False),
    "step adds the gradient": ('''
        def sgd_weight_decay_step(W, dW, eta, lam):
            return W * (1 - 2 * eta * lam) + eta * dW
    ''', "wd_step_grad_plus", True),
    "decay factor without the 2": ('''
        def sgd_weight_decay_step(W, dW, eta, lam):
            return W - eta * (dW + lam * W)
    ''', "wd_step_decay_factor", False),
    "decay without eta": ('''
        def sgd_weight_decay_step(W, dW, eta, lam):
            return W - 2 * lam * W - eta * dW
    ''', "wd_step_no_eta", False),
    "decay with a plus sign": ('''
        def sgd_weight_decay_step(W, dW, eta, lam):
            return W * (1 + 2 * eta * lam) - eta * dW
    ''', "wd_step_decay_plus", False),
}


@pytest.mark.parametrize("label", list(WRONG_STEPS))
def test_update_calling_a_wrong_step_keeps_its_points_with_a_note(tmp_path, label):
    """The step's checks lose their points and name its mistake; regularized_update, which returns exactly what
    that step gives (biases b − η db), keeps its points with a note naming the step (one error scored once)."""
    override, mistake, wrong_at_lam_zero = WRONG_STEPS[label]
    result = grade(tmp_path, override)
    assert failed(result) == STEP_CHECKS, [(c.name, c.message) for c in result.checks if not c.passed]
    for name in STEP_CHECKS:
        check = by_name(result, name)
        assert check.mistakes == (mistake,) and ex4.MISTAKES[mistake].en in check.message
    assert sum(c.points for c in result.checks) == FULL - sum(c.max_points for c in result.checks if c.name in STEP_CHECKS)
    noted = UPDATE_CHECKS | ({LAM_ZERO} if wrong_at_lam_zero else set())
    for name in noted:
        message = by_name(result, name).message
        assert message.startswith(OWN_STEP_NOTE) and message.endswith(KEEPS), (name, message)
        assert "sgd_weight_decay_step(W1, dW1, eta, lam)" in message
    for name in {LAM_ZERO, STRUCTURE} - noted:
        assert OWN_STEP_NOTE not in by_name(result, name).message


def test_update_calling_a_wrong_step_keeps_its_points_in_spanish(tmp_path):
    override, mistake, _ = WRONG_STEPS["step adds the gradient"]
    result = grade(tmp_path, override, lang="es")
    assert failed(result) == STEP_CHECKS
    step = result.check("sgd_weight_decay_step")
    assert step.mistakes == (mistake,) and ex4.MISTAKES[mistake].es in step.message
    for check_id in ("regularized_update", "regularized_update_hidden", "regularized_update_lam_zero"):
        check = result.check(check_id)
        assert check.passed and check.points == check.max_points
        assert check.message.startswith(OWN_STEP_NOTE_ES) and check.message.endswith(KEEPS_ES), check.message
        assert "valores difieren" in check.message


def test_update_calling_a_correct_step_has_no_note(tmp_path):
    result = grade(tmp_path)
    for check_id in ("regularized_update", "regularized_update_hidden", "regularized_update_lam_zero"):
        check = result.check(check_id)
        assert check.passed and OWN_STEP_NOTE not in check.message


def test_wrong_step_and_wrong_biases_in_the_update_still_fail(tmp_path):
    """Weights from the student's own wrong step do not excuse biases left unchanged."""
    result = grade(tmp_path, WRONG_STEPS["step adds the gradient"][0], '''
        def regularized_update(params, grads, eta, lam):
            return [(sgd_weight_decay_step(W, dW, eta, lam), b) for (W, b), (dW, db) in zip(params, grads)]
    ''')
    assert failed(result) == STEP_CHECKS | UPDATE_CHECKS | {STRUCTURE, LAM_ZERO}
    assert result.check("regularized_update_structure").mistakes == ("wd_update_bias_not_updated",)
    assert OWN_STEP_NOTE not in result.check("regularized_update").message


def test_a_step_that_raises_explains_nothing(tmp_path):
    """An update with its own wrong weights fails as before when the student's step raises."""
    result = grade(tmp_path, '''
        def sgd_weight_decay_step(W, dW, eta, lam):
            raise NotImplementedError

        def regularized_update(params, grads, eta, lam):
            return [(W * (1 - eta * lam) - eta * dW, b - eta * db) for (W, b), (dW, db) in zip(params, grads)]
    ''')
    assert UPDATE_CHECKS <= failed(result)
    for name in UPDATE_CHECKS:
        check = by_name(result, name)
        assert check.mistakes == ("wd_update_decay_factor",) and OWN_STEP_NOTE not in check.message
