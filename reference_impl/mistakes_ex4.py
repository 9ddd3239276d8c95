"""Known mistakes in ex4 (L2 / L1 regularization), each one error away from the reference."""
import numpy as np

from .variants import register


def _arr(x):
    return np.asarray(x, dtype=np.float64)


# ---------------------------------------------------------------- l2_penalty
def l2_penalty_half(weights, lam):
    """λ/2 Σ w² (the ½ convention of some textbooks, not the lecture's J + λ Σ w²)."""
    return float(lam / 2 * sum(np.sum(_arr(W) ** 2) for W in weights))


def l2_penalty_norm(weights, lam):
    """λ Σ_k ‖W(k)‖ (Frobenius norm, not squared)."""
    return float(lam * sum(np.linalg.norm(_arr(W)) for W in weights))


def l2_penalty_no_lam(weights, lam):
    """Σ w² without the factor λ."""
    return float(sum(np.sum(_arr(W) ** 2) for W in weights))


def l2_penalty_mean(weights, lam):
    """λ Σ_k mean(W(k)²): np.mean instead of np.sum (divided by each matrix's number of entries)."""
    return float(lam * sum(np.mean(_arr(W) ** 2) for W in weights))


def l2_penalty_last_only(weights, lam):
    """The loop overwrites its total (total = λ Σ W² inside the loop): only the last matrix counts."""
    total = 0.0
    for W in weights:
        total = np.sum(_arr(W) ** 2)
    return float(lam * total)


def l2_penalty_double(weights, lam):
    """2λ Σ w²: the factor 2 of the gradient put into the penalty."""
    return float(2.0 * lam * sum(np.sum(_arr(W) ** 2) for W in weights))


# ---------------------------------------------------------------- l2_grad
def l2_grad_no_two(W, lam):
    """λW: the 2 of d(w²)/dw forgotten."""
    return lam * _arr(W)


def l2_grad_sign(W, lam):
    """−2λW: the gradient with the sign of the descent step."""
    return -2.0 * lam * _arr(W)


def l2_grad_no_lam(W, lam):
    """2W: the factor λ forgotten."""
    return 2.0 * _arr(W)


# ---------------------------------------------------------------- sgd_weight_decay_step
def step_decay_factor(W, dW, eta, lam):
    """W(1 − ηλ) − η dW: decay factor without the 2."""
    return _arr(W) * (1.0 - eta * lam) - eta * _arr(dW)


def step_decay_plus(W, dW, eta, lam):
    """W(1 + 2ηλ) − η dW: the penalty's gradient added with the wrong sign (weights grow)."""
    return _arr(W) * (1.0 + 2.0 * eta * lam) - eta * _arr(dW)


def step_no_eta(W, dW, eta, lam):
    """W(1 − 2λ) − η dW: the decay term not multiplied by the learning rate."""
    return _arr(W) * (1.0 - 2.0 * lam) - eta * _arr(dW)


def step_decay_after(W, dW, eta, lam):
    """(W − η dW)(1 − 2ηλ): the decay applied after the gradient step, so it shrinks η dW too."""
    return (_arr(W) - eta * _arr(dW)) * (1.0 - 2.0 * eta * lam)


def step_grad_plus(W, dW, eta, lam):
    """W(1 − 2ηλ) + η dW: the gradient added (ascent) instead of subtracted."""
    return _arr(W) * (1.0 - 2.0 * eta * lam) + eta * _arr(dW)


# ---------------------------------------------------------------- l1_penalty
def l1_penalty_squared(weights, lam):
    """λ Σ w² (the L2 penalty) instead of λ Σ |w|."""
    return float(lam * sum(np.sum(_arr(W) ** 2) for W in weights))


def l1_penalty_no_abs(weights, lam):
    """λ Σ w: absolute value forgotten, positive and negative weights cancel."""
    return float(lam * sum(np.sum(_arr(W)) for W in weights))


def l1_penalty_no_lam(weights, lam):
    """Σ |w| without the factor λ."""
    return float(sum(np.sum(np.abs(_arr(W))) for W in weights))


def l1_penalty_last_only(weights, lam):
    """The loop overwrites its total: only the last matrix counts."""
    total = 0.0
    for W in weights:
        total = np.sum(np.abs(_arr(W)))
    return float(lam * total)


# ---------------------------------------------------------------- sgd_l1_step
def l1_step_w(W, dW, eta, lam):
    """W − ηλW − η dW: W instead of sign(W) (an L2-like shrink)."""
    W = _arr(W)
    return W - eta * lam * W - eta * _arr(dW)


def l1_step_sign_dw(W, dW, eta, lam):
    """W − ηλ sign(dW) − η dW: the sign of the gradient instead of the weights'."""
    dW = _arr(dW)
    return _arr(W) - eta * lam * np.sign(dW) - eta * dW


def l1_step_sign_at_zero(W, dW, eta, lam):
    """sign written as np.where(W >= 0, 1, -1): a zero weight gets pushed by −ηλ."""
    W = _arr(W)
    return W - eta * lam * np.where(W >= 0, 1.0, -1.0) - eta * _arr(dW)


def l1_step_sign_divide(W, dW, eta, lam):
    """sign written as W / |W|: NaN where W = 0."""
    W = _arr(W)
    with np.errstate(invalid="ignore", divide="ignore"):
        sign = W / np.abs(W)
    return W - eta * lam * sign - eta * _arr(dW)


def l1_step_abs(W, dW, eta, lam):
    """W − ηλ|W| − η dW: |W| (the penalty) instead of sign(W) (its gradient)."""
    W = _arr(W)
    return W - eta * lam * np.abs(W) - eta * _arr(dW)


def l1_step_plus(W, dW, eta, lam):
    """W + ηλ sign(W) − η dW: the penalty's gradient added, pushing weights away from 0."""
    W = _arr(W)
    return W + eta * lam * np.sign(W) - eta * _arr(dW)


def l1_step_no_eta(W, dW, eta, lam):
    """W − λ sign(W) − η dW: the penalty's term not multiplied by the learning rate."""
    W = _arr(W)
    return W - lam * np.sign(W) - eta * _arr(dW)


# ---------------------------------------------------------------- regularized_update
def update_decay_biases(params, grads, eta, lam):
    """Biases decayed like the weights: b(1 − 2ηλ) − η db."""
    f = 1.0 - 2.0 * eta * lam
    return [(_arr(W) * f - eta * _arr(dW), _arr(b) * f - eta * _arr(db)) for (W, b), (dW, db) in zip(params, grads)]


def update_decay_factor(params, grads, eta, lam):
    """Weights decayed by (1 − ηλ) instead of (1 − 2ηλ)."""
    return [(_arr(W) * (1.0 - eta * lam) - eta * _arr(dW), _arr(b) - eta * _arr(db))
            for (W, b), (dW, db) in zip(params, grads)]


def update_weights_only(params, grads, eta, lam):
    """Returns the list of updated weights only, dropping the biases."""
    return [_arr(W) * (1.0 - 2.0 * eta * lam) - eta * _arr(dW) for (W, _), (dW, _) in zip(params, grads)]


def update_unchanged(params, grads, eta, lam):
    """The loop rebinds its variables (W = W*(…) − η dW) and the untouched params list is returned."""
    for (W, b), (dW, db) in zip(params, grads):
        W = W * (1.0 - 2.0 * eta * lam) - eta * dW  # noqa: F841 - the mistake: a rebinding, lost
        b = b - eta * db  # noqa: F841
    return params


def update_no_decay(params, grads, eta, lam):
    """lam ignored: plain SGD, W − η dW and b − η db."""
    return [(_arr(W) - eta * _arr(dW), _arr(b) - eta * _arr(db)) for (W, b), (dW, db) in zip(params, grads)]


def update_bias_not_updated(params, grads, eta, lam):
    """The weights take their step, the biases come back unchanged (no b − η db)."""
    return [(_arr(W) * (1.0 - 2.0 * eta * lam) - eta * _arr(dW), _arr(b)) for (W, b), (dW, _) in zip(params, grads)]


def update_grad_plus(params, grads, eta, lam):
    """The gradients added (W(1 − 2ηλ) + η dW, b + η db): ascent instead of descent."""
    return [(_arr(W) * (1.0 - 2.0 * eta * lam) + eta * _arr(dW), _arr(b) + eta * _arr(db))
            for (W, b), (dW, db) in zip(params, grads)]


def update_decay_no_eta(params, grads, eta, lam):
    """Weights decayed by (1 − 2λ): the decay not multiplied by η (also what a sgd_weight_decay_step with
    that mistake gives when regularized_update calls it)."""
    return [(_arr(W) * (1.0 - 2.0 * lam) - eta * _arr(dW), _arr(b) - eta * _arr(db))
            for (W, b), (dW, db) in zip(params, grads)]


def update_l1(params, grads, eta, lam):
    """The L1 step on the weights (W − ηλ sign(W) − η dW) instead of weight decay."""
    return [(_arr(W) - eta * lam * np.sign(_arr(W)) - eta * _arr(dW), _arr(b) - eta * _arr(db))
            for (W, b), (dW, db) in zip(params, grads)]


#: mistake id -> {contract name: replacement}; ids match autograder/exercises/ex4.py MISTAKES
VARIANTS = {
    "wd_l2_half": {"l2_penalty": l2_penalty_half},
    "wd_l2_norm": {"l2_penalty": l2_penalty_norm},
    "wd_l2_no_lam": {"l2_penalty": l2_penalty_no_lam},
    "wd_grad_no_two": {"l2_grad": l2_grad_no_two},
    "wd_step_decay_factor": {"sgd_weight_decay_step": step_decay_factor},
    "wd_step_decay_plus": {"sgd_weight_decay_step": step_decay_plus},
    "wd_l1_squared": {"l1_penalty": l1_penalty_squared},
    "wd_l1_no_abs": {"l1_penalty": l1_penalty_no_abs},
    "wd_l1_step_w": {"sgd_l1_step": l1_step_w},
    "wd_l1_step_sign_dw": {"sgd_l1_step": l1_step_sign_dw},
    "wd_l1_step_sign_at_zero": {"sgd_l1_step": l1_step_sign_at_zero},
    "wd_l1_step_sign_divide": {"sgd_l1_step": l1_step_sign_divide},
    "wd_update_decay_biases": {"regularized_update": update_decay_biases},
    "wd_update_decay_factor": {"regularized_update": update_decay_factor},
    "wd_update_weights_only": {"regularized_update": update_weights_only},
    "wd_update_unchanged": {"regularized_update": update_unchanged},
    "wd_l2_mean": {"l2_penalty": l2_penalty_mean},
    "wd_l2_last_only": {"l2_penalty": l2_penalty_last_only},
    "wd_l2_double": {"l2_penalty": l2_penalty_double},
    "wd_grad_sign": {"l2_grad": l2_grad_sign},
    "wd_grad_no_lam": {"l2_grad": l2_grad_no_lam},
    "wd_step_no_eta": {"sgd_weight_decay_step": step_no_eta},
    "wd_step_decay_after": {"sgd_weight_decay_step": step_decay_after},
    "wd_step_grad_plus": {"sgd_weight_decay_step": step_grad_plus},
    "wd_l1_no_lam": {"l1_penalty": l1_penalty_no_lam},
    "wd_l1_last_only": {"l1_penalty": l1_penalty_last_only},
    "wd_l1_step_abs": {"sgd_l1_step": l1_step_abs},
    "wd_l1_step_plus": {"sgd_l1_step": l1_step_plus},
    "wd_l1_step_no_eta": {"sgd_l1_step": l1_step_no_eta},
    "wd_update_no_decay": {"regularized_update": update_no_decay},
    "wd_update_bias_not_updated": {"regularized_update": update_bias_not_updated},
    "wd_update_grad_plus": {"regularized_update": update_grad_plus},
    "wd_update_decay_no_eta": {"regularized_update": update_decay_no_eta},
    "wd_update_l1": {"regularized_update": update_l1},
}
register(VARIANTS)
