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


register({
    "dropout_no_scale": {"dropout_forward": no_scale},
    "dropout_p_is_drop": {"dropout_forward": p_is_drop},
    "dropout_scaled_at_test": {"dropout_forward": scaled_at_test},
    "dropout_backward_no_mask": {"dropout_backward": backward_no_mask},
})
