"""Known mistakes in ex3 (inverted dropout), each one error away from the reference."""
import numpy as np

from .dropout import dropout_forward as _forward
from .variants import register


def _rng(rng):
    return np.random.default_rng() if rng is None else rng


def no_scale(a, p, train=True, rng=None):
    """mask = U < p (not divided by p)."""
    if not train:
        return a, None
    mask = (_rng(rng).random(a.shape) < p).astype(float)
    return a * mask, mask


def p_is_drop(a, p, train=True, rng=None):
    """p read as the drop probability: keep with probability 1 − p."""
    if not train:
        return a, None
    mask = (_rng(rng).random(a.shape) < 1 - p) / (1 - p)
    return a * mask, mask


def scaled_at_test(a, p, train=True, rng=None):
    """Test mode multiplies by p (vanilla dropout's test rule on inverted dropout)."""
    if not train:
        return a * p, None
    return _forward(a, p, train, rng)


def backward_no_mask(dout, mask):
    """Gradient passed through unchanged."""
    return dout


def ignores_rng(a, p, train=True, rng=None):
    """Draws from NumPy's global generator instead of ``rng``."""
    if not train:
        return a, None
    mask = (np.random.rand(*a.shape) < p) / p
    return a * mask, mask


def scale_by_p(a, p, train=True, rng=None):
    """Kept units multiplied by p instead of divided by it."""
    if not train:
        return a, None
    mask = (_rng(rng).random(a.shape) < p) * p
    return a * mask, mask


def test_mask_ones(a, p, train=True, rng=None):
    """Test mode returns a mask of ones instead of None."""
    if not train:
        return a, np.ones_like(a)
    return _forward(a, p, train, rng)


def backward_rescales(dout, mask):
    """Divides by p a second time: the mask already holds 1/p."""
    if mask is None:
        return dout
    p = 1.0 / mask.max()
    return dout * mask / p


def mask_shared_across_examples(a, p, train=True, rng=None):
    """One draw per unit (row), repeated over the examples (columns): every example drops the same units."""
    if not train:
        return a, None
    keep = _rng(rng).random((a.shape[0], 1)) < p
    mask = np.broadcast_to(keep / p, a.shape).copy()
    return a * mask, mask


def mask_shared_across_units(a, p, train=True, rng=None):
    """One draw per example (column), repeated over the units (rows): whole examples are dropped."""
    if not train:
        return a, None
    keep = _rng(rng).random((1, a.shape[1])) < p
    mask = np.broadcast_to(keep / p, a.shape).copy()
    return a * mask, mask


def normal_draws(a, p, train=True, rng=None):
    """Standard normal draws compared with p: keeps a unit with probability Φ(p) instead of p."""
    if not train:
        return a, None
    mask = (_rng(rng).standard_normal(a.shape) < p) / p
    return a * mask, mask


def backward_bool_mask(dout, mask):
    """The mask used as a boolean: the gradient loses the 1/p scale of the kept units (the same output as
    dout * mask * p, the mask multiplied by p)."""
    if mask is None:
        return dout
    return dout * (mask != 0)


def mask_unscaled(a, p, train=True, rng=None):
    """out = a * keep / p is right, but the mask returned is the 0/1 keep mask, without the 1/p."""
    if not train:
        return a, None
    keep = (_rng(rng).random(a.shape) < p).astype(float)
    return a * keep / p, keep


def out_not_masked(a, p, train=True, rng=None):
    """The mask is drawn and returned but never applied: out = a."""
    if not train:
        return a, None
    mask = (_rng(rng).random(a.shape) < p) / p
    return a.copy(), mask


def out_divided_by_p(a, p, train=True, rng=None):
    """Only the 1/p scale reaches the output: out = a / p, the mask's zeros are never applied."""
    if not train:
        return a, None
    mask = (_rng(rng).random(a.shape) < p) / p
    return a / p, mask


def mask_gt_p(a, p, train=True, rng=None):
    """The comparison reversed, U > p: keeps a unit with probability 1 − p, still scaled by 1/p."""
    if not train:
        return a, None
    mask = (_rng(rng).random(a.shape) > p) / p
    return a * mask, mask


def one_draw(a, p, train=True, rng=None):
    """One draw for the whole layer (rng.random() < p, or rng.binomial(1, p) without a size): a scalar mask."""
    if not train:
        return a, None
    mask = float(_rng(rng).random() < p) / p
    return a * mask, mask


def ignores_train(a, p, train=True, rng=None):
    """The train flag is ignored: test mode drops units too."""
    return _forward(a, p, True, rng)


def test_zeros(a, p, train=True, rng=None):
    """out starts as zeros and is filled only in training: test mode returns zeros."""
    out, mask = np.zeros_like(a), None
    if train:
        out, mask = _forward(a, p, True, rng)
    return out, mask


def fixed_seed(a, p, train=True, rng=None):
    """The rng argument is ignored for a generator with a fixed seed: every call draws the same mask."""
    if not train:
        return a, None
    mask = (np.random.default_rng(0).random(a.shape) < p) / p
    return a * mask, mask


def default_rng_fixed_seed(a, p, train=True, rng=None):
    """Without rng, a generator with a fixed seed (np.random.default_rng(0)): every such call draws the same
    mask."""
    if not train:
        return a, None
    if rng is None:
        rng = np.random.default_rng(0)
    return _forward(a, p, True, rng)


def returns_swapped(a, p, train=True, rng=None):
    """Returns (mask, out) instead of (out, mask)."""
    out, mask = _forward(a, p, train, rng)
    return (mask, out) if train else (out, mask)


def backward_none_fails(dout, mask):
    """mask None (test mode) not handled: dout * None raises TypeError."""
    return dout * mask


#: mistake id -> {contract name: replacement}; ids match autograder/exercises/ex3.py MISTAKES
VARIANTS = {
    "dropout_no_scale": {"dropout_forward": no_scale},
    "dropout_p_is_drop": {"dropout_forward": p_is_drop},
    "dropout_scaled_at_test": {"dropout_forward": scaled_at_test},
    "dropout_backward_no_mask": {"dropout_backward": backward_no_mask},
    "dropout_ignores_rng": {"dropout_forward": ignores_rng},
    "dropout_scale_by_p": {"dropout_forward": scale_by_p},
    "dropout_test_mask_ones": {"dropout_forward": test_mask_ones},
    "dropout_backward_rescales": {"dropout_backward": backward_rescales},
    "dropout_mask_shared_across_examples": {"dropout_forward": mask_shared_across_examples},
    "dropout_mask_shared_across_units": {"dropout_forward": mask_shared_across_units},
    "dropout_normal_draws": {"dropout_forward": normal_draws},
    "dropout_backward_bool_mask": {"dropout_backward": backward_bool_mask},
    "dropout_mask_unscaled": {"dropout_forward": mask_unscaled},
    "dropout_out_not_masked": {"dropout_forward": out_not_masked},
    "dropout_out_divided_by_p": {"dropout_forward": out_divided_by_p},
    "dropout_mask_gt_p": {"dropout_forward": mask_gt_p},
    "dropout_one_draw": {"dropout_forward": one_draw},
    "dropout_ignores_train": {"dropout_forward": ignores_train},
    "dropout_test_zeros": {"dropout_forward": test_zeros},
    "dropout_fixed_seed": {"dropout_forward": fixed_seed},
    "dropout_default_rng_fixed_seed": {"dropout_forward": default_rng_fixed_seed},
    "dropout_returns_swapped": {"dropout_forward": returns_swapped},
    "dropout_backward_none_fails": {"dropout_backward": backward_none_fails},
}
register(VARIANTS)
