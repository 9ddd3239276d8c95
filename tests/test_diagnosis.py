"""The bias/variance diagnosis of a learning curve: each kind from synthetic curves, and the edge cases."""
import math

import pytest

from autograder.diagnosis import MAX_GAP, VAL_RISE, Diagnosis, diagnose


def _decay(n, start, end):
    return [start + (end - start) * (1 - math.exp(-4 * i / max(n - 1, 1))) / (1 - math.exp(-4)) for i in range(n)]


def test_a_good_fit_is_fine():
    n = 30
    curve = {"loss": _decay(n, 0.7, 0.08), "val_loss": _decay(n, 0.7, 0.10),
             "accuracy": _decay(n, 0.6, 0.97), "val_accuracy": _decay(n, 0.6, 0.96)}
    d = diagnose(curve, threshold=0.92)
    assert isinstance(d, Diagnosis) and (d.kind, d.rule) == ("fine", "none")
    assert d.epochs == n and d.best_epoch == n and d.threshold == 0.92
    assert d.accuracy_end == pytest.approx(0.97) and d.gap == pytest.approx(0.01)


def test_a_rising_validation_loss_is_overfitting():
    val = _decay(20, 0.7, 0.10) + [0.10 + 0.01 * i for i in range(1, 11)]  # lowest at epoch 20, then +100 %
    curve = {"loss": _decay(30, 0.7, 0.01), "val_loss": val}
    d = diagnose(curve)
    assert (d.kind, d.rule) == ("overfitting", "val_loss_rise")
    assert d.best_epoch == 20 and d.val_loss_best == pytest.approx(0.10) and d.val_loss_end == pytest.approx(0.20)
    assert d.val_rise == pytest.approx(1.0)


def test_a_small_or_late_rise_is_not_overfitting():
    base = _decay(20, 0.7, 0.10)
    small = {"loss": _decay(22, 0.7, 0.05), "val_loss": base + [0.10 * (1 + VAL_RISE / 2)] * 2}
    assert diagnose(small).kind == "fine"
    late = {"loss": _decay(22, 0.7, 0.05), "val_loss": base + [0.09, 0.2]}  # lowest only one epoch before the end
    assert diagnose(late).kind == "fine"
    tiny = {"loss": _decay(30, 0.7, 0.001), "val_loss": _decay(20, 0.7, 0.004) + [0.012] * 10}  # +200 %, but 0.008
    assert diagnose(tiny).kind == "fine"


def test_a_train_validation_accuracy_gap_is_overfitting():
    n = 25
    curve = {"loss": _decay(n, 0.7, 0.01), "val_loss": _decay(n, 0.7, 0.3),
             "accuracy": _decay(n, 0.6, 1.0), "val_accuracy": _decay(n, 0.6, 1.0 - MAX_GAP - 0.05)}
    d = diagnose(curve, threshold=0.9)
    assert (d.kind, d.rule) == ("overfitting", "accuracy_gap")
    assert d.gap == pytest.approx(MAX_GAP + 0.05)


def test_a_low_training_accuracy_is_underfitting_and_wins():
    n = 40
    curve = {"loss": _decay(n, 0.7, 0.35), "val_loss": _decay(n, 0.7, 0.36),
             "accuracy": _decay(n, 0.5, 0.87), "val_accuracy": _decay(n, 0.5, 0.86)}
    d = diagnose(curve, threshold=0.92)
    assert (d.kind, d.rule) == ("underfitting", "train_accuracy_low")
    assert d.accuracy_end == pytest.approx(0.87)
    assert diagnose({**curve, "threshold": 0.92}).rule == "train_accuracy_low"  # the threshold carried by the curve
    assert diagnose(curve).kind == "fine"  # no threshold: the accuracy rule cannot apply


def test_a_flat_training_loss_without_accuracy_is_underfitting():
    d = diagnose({"loss": [0.69, 0.68, 0.67, 0.66], "val_loss": [0.7, 0.69, 0.68, 0.67]})
    assert (d.kind, d.rule) == ("underfitting", "train_loss_flat")
    assert d.loss_first == 0.69 and d.loss_drop == pytest.approx(0.03 / 0.69)


def test_only_a_training_loss_cannot_judge_overfitting():
    d = diagnose({"loss": _decay(10, 0.7, 0.1)})
    assert (d.kind, d.rule) == ("fine", "no_validation")
    assert d.val_loss_best is None and d.gap is None


@pytest.mark.parametrize("curve, rule", [
    ({}, "no_training_curve"),
    ({"val_loss": [0.5, 0.4, 0.3]}, "no_training_curve"),
    ({"loss": []}, "no_training_curve"),
    ({"loss": [0.5]}, "too_short"),
    ({"loss": [0.5, 0.4], "val_loss": [0.6, 0.5]}, "too_short"),
    ({"loss": [0.5, float("nan"), 0.3]}, "no_training_curve"),   # not a clean curve: no figures from it
    ({"loss": [0.5, "x", 0.3]}, "no_training_curve"),
    ("not a dict", "no_training_curve"),
    (None, "no_training_curve"),
])
def test_not_enough_data_gives_no_diagnosis(curve, rule):
    d = diagnose(curve)
    assert d.kind is None and d.rule == rule


def test_a_broken_validation_curve_is_left_out():
    d = diagnose({"loss": _decay(10, 0.7, 0.1), "val_loss": [0.5, float("inf")] + [0.4] * 8})
    assert (d.kind, d.rule) == ("fine", "no_validation")
